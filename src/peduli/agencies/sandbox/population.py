"""The synthetic people the agency sandboxes know: the demo's citizens, drawn from the same
deterministic generator (``peduli.demo.population``) with the same seed and reference date,
so the sandbox civil registry knows the people ``peduli demo`` seeded, plus a few newcomers
the registry does not know yet (the demo prints them, to report as one of them).

What an agency holds beyond the registry (a mother's name, a death, the spelling on the
birth certificate, a birth place written otherwise) is drawn per person from a generator
seeded with the NIK, so it is the same in every run and every process.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from peduli.demo.population import Citizen, Population
from peduli.demo.spellings import spelling_variant

DEMO_SEED = 2026  # the seed and size ``peduli demo`` seeds with (the one place that says)
DEMO_CITIZENS = 2_000
NEWCOMERS = 12  # citizens after the seeded ones: known to the agencies, not to the registry
DECEASED_RATE = 0.015
OTHER_SPELLING_RATE = 0.05
OTHER_BIRTH_PLACE_RATE = 0.02

_MOTHER_GIVEN = (
    "Siti", "Sri", "Nur", "Dewi", "Endang", "Sumarni", "Aminah", "Suparmi", "Rohani",
    "Kartini", "Murni", "Ratna", "Yuliana", "Wartini", "Ni Made", "Ni Luh", "Maria", "Fatimah",
)  # fmt: skip
_MOTHER_SECOND = (
    "Aminah", "Rahayu", "Wahyuni", "Lestari", "Handayani", "Suryani", "Hasanah", "Kusumawati",
    "Rahmawati", "Puspita", "Sulastri", "Sukarsih", "Maryam", "Hartini", "Yanti", "Wulandari",
)  # fmt: skip
# Who is or was married, by age on arrival (a few under 17 are: the voter list must find them).
EVER_MARRIED_RATES = ((17, 0.03), (25, 0.3), (200, 0.8))
_MARRIED_STATUSES, _MARRIED_WEIGHTS = ("kawin", "cerai_hidup", "cerai_mati"), (0.85, 0.1, 0.05)
_OTHER_PLACES = ("Jakarta", "Surabaya", "Bandung", "Medan", "Semarang", "Makassar", "Palembang")


@dataclass(frozen=True)
class Resident:
    """One person as an agency holds them; ``citizen`` is what the demo generator drew."""

    position: int  # in the generator's stream (>= the seeded count: a newcomer)
    citizen: Citizen
    registered_name: str  # as on the birth certificate (sometimes another spelling)
    place_of_birth: str  # as registered (sometimes not what the citizen writes)
    mother_name: str
    alive: bool
    family_card: str  # KK number
    marital_status: str  # the civil registry's code (``civil_registry.MARITAL_STATUSES``)

    @property
    def nik(self) -> str:
        assert self.citizen.nik is not None
        return self.citizen.nik


def resident_of(position: int, citizen: Citizen) -> Resident:
    """What the agencies hold on ``citizen``, drawn from a generator seeded with the NIK."""
    assert citizen.nik is not None
    rng = random.Random(f"agency:{citizen.nik}")
    name = citizen.full_name
    if rng.random() < OTHER_SPELLING_RATE:
        name = spelling_variant(rng, name)
    place = citizen.place_of_birth
    if rng.random() < OTHER_BIRTH_PLACE_RATE:
        place = rng.choice([p for p in _OTHER_PLACES if p != place])
    mother = f"{rng.choice(_MOTHER_GIVEN)} {rng.choice(_MOTHER_SECOND)}"
    alive = rng.random() >= DECEASED_RATE
    card = citizen.nik[:6] + f"{rng.randrange(10**10):010d}"
    return Resident(position, citizen, name, place, mother, alive, card, _marital(rng, citizen))


def _marital(rng: random.Random, citizen: Citizen) -> str:
    """A marital status drawn by age on arrival (drawn last: the other draws stay as they
    were before the civil registry answered it)."""
    age = citizen.arrival_date.year - citizen.date_of_birth.year
    rate = next(rate for below, rate in EVER_MARRIED_RATES if age < below)
    if rng.random() >= rate:
        return "belum_kawin"
    return rng.choices(_MARRIED_STATUSES, _MARRIED_WEIGHTS)[0]


def residents(*, seed: int, count: int, today: date | None = None) -> Iterator[Resident]:
    """The first ``count`` citizens of the generator with a NIK (second reports left out)."""
    for position, citizen in enumerate(Population(seed=seed, today=today).citizens(count)):
        if citizen.duplicate_of is None and citizen.nik is not None:
            yield resident_of(position, citizen)


@lru_cache(maxsize=4)
def demo_residents(
    *, seed: int = DEMO_SEED, seeded: int = DEMO_CITIZENS, today: date | None = None
) -> tuple[Resident, ...]:
    """The demo's people and its newcomers, built once per process."""
    return tuple(residents(seed=seed, count=seeded + NEWCOMERS, today=today))


def newcomers(people: tuple[Resident, ...], seeded: int) -> list[Resident]:
    """The people the agencies know and the seeded registry does not."""
    return [r for r in people if r.position >= seeded]
