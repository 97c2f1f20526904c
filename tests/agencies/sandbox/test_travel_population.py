"""The sandboxes' people are the demo's: same generator, same passports, statuses that follow."""

from __future__ import annotations

from datetime import date

from peduli.agencies.sandbox import travel_population as population
from peduli.agencies.sandbox.travel_population import LicenceStatus, PassportStatus
from peduli.demo.population import Population

TODAY = date(2026, 12, 6)


def test_every_demo_passport_is_known_to_immigration_whatever_the_day() -> None:
    citizens = list(Population(seed=2026, today=TODAY).citizens(400))
    records = population.build(seed=2026, size=400, today=date(2027, 3, 1))
    assert {c.passport for c in citizens} == set(records.passports)


def test_the_statuses_are_mixed_like_reality() -> None:
    records = population.build(seed=2026, size=2000, today=TODAY)
    statuses = [p.status for p in records.passports.values()]
    assert statuses.count(PassportStatus.VALID) > len(statuses) * 0.7
    for status in PassportStatus:
        assert statuses.count(status) > 0, status
    replaced = [p for p in records.passports.values() if p.status == PassportStatus.REPLACED]
    assert all(p.replaced_by and p.replaced_by != p.number for p in replaced)


def test_a_second_report_with_a_new_passport_replaces_the_first_one() -> None:
    citizens = list(Population(seed=2026, today=TODAY).citizens(2000))
    records = population.build(seed=2026, size=2000, today=TODAY)
    second = next(c for c in citizens if c.duplicate_of is not None)
    first = records.passports[str(citizens[second.duplicate_of].passport)]
    assert first.status == PassportStatus.REPLACED
    assert first.replaced_by == second.passport


def test_placed_workers_have_placements_and_their_agencies_are_listed() -> None:
    citizens = list(Population(seed=2026, today=TODAY).citizens(2000))
    records = population.build(seed=2026, size=2000, today=TODAY)
    placed = {p.passport_number: p for p in records.placements}
    workers = [c for c in citizens if c.purpose == "work" and c.employer and c.sector
               in {"domestic_work", "plantation", "construction", "fishing_crew"}]  # fmt: skip
    assert len(placed) > len(workers) * 0.8
    for worker in workers:
        placement = placed.get(worker.passport)
        if placement is not None:
            assert placement.employer == worker.employer
            assert placement.agency_name == worker.placement_agency
            assert placement.contract_start == worker.arrival_date
    states = [a.status for a in records.agencies.values()]
    assert states.count(LicenceStatus.REVOKED) > 0
    assert states.count(LicenceStatus.ACTIVE) > states.count(LicenceStatus.REVOKED)
    unlisted = {p.agency_name for p in records.placements if p.agency_name} - {
        a.name for a in records.agencies.values()
    }
    assert unlisted, "a few agencies were never licensed"
