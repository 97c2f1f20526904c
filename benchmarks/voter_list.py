"""Generating the overseas voter list (DP4LN) from the registry, on PostgreSQL.

    python -m benchmarks.voter_list [--citizens 200000]

Seeds the demo population (``peduli seed``'s rows: people, passports, contacts, stays; COPY)
into its own database ``peduli_elections_bench``, then measures:

- a round of every post's list (``elections.generation.generate``: the eligible entries with
  their method, ordinal and copied ciphertexts in one ``INSERT … SELECT``, then the places'
  ``UPDATE``), against the ceiling: a raw ``CREATE TABLE … AS SELECT`` of the same active
  stays joined to their people (the identifiers, name, address), measured in the same run;
- the checks of the largest post's list, and its CSV export (every NIK, passport, address and
  contact opened) per 1,000 voters.
"""

from __future__ import annotations

import argparse
import time

from sqlalchemy import text

from benchmarks._common import machine, recreate_postgres, use_database

DATABASE = "peduli_elections_bench"
RAW = (
    "CREATE TEMP TABLE raw_copy AS SELECT s.id AS stay_id, p.id AS person_id, p.nik_encrypted,"
    " p.nik_index, p.full_name, p.sex, p.date_of_birth, s.address, s.country, s.city,"
    " s.representation_code FROM stay s JOIN person p ON p.id = s.person_id"
    " WHERE s.status = 'active' AND s.representation_code IS NOT NULL AND p.status = 'active'"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--citizens", type=int, default=200_000)
    args = parser.parse_args()
    use_database(recreate_postgres(DATABASE))
    from datetime import date

    from sqlalchemy import func, select

    from peduli.auth.actor import SYSTEM
    from peduli.core.db import get_engine, session_scope
    from peduli.demo import seed as seeding
    from peduli.elections import checks, generation, roll, service
    from peduli.elections.models import PlaceKind, VoterEntry, VoterList
    from peduli.elections.schemas import ElectionCreate, PlaceCreate

    print(f"machine: {machine()}")
    started = time.perf_counter()
    with session_scope() as session:
        seeding.seed_citizens(session, citizens=args.citizens, seed=2026, batch_size=20_000)
    print(f"seeded {args.citizens:,} citizens in {time.perf_counter() - started:.1f} s")
    with session_scope() as session:
        election = service.create_election(
            session, data=ElectionCreate(name="Bench", election_day=date(2029, 2, 14)),
            actor=SYSTEM,
        )  # fmt: skip
        for post in ("kbri-kuala-lumpur", "kjri-hong-kong", "kbri-seoul"):
            for kind, code in ((PlaceKind.TPSLN, "T1"), (PlaceKind.TPSLN, "T2"),
                               (PlaceKind.KSK, "K1")):  # fmt: skip
                service.add_place(
                    session, election_id=election.id, actor=SYSTEM,
                    data=PlaceCreate(representation_code=post, kind=kind, code=code,
                                     location="Bench"),
                )  # fmt: skip
        election_id = election.id
    engine = get_engine()
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
        began = time.perf_counter()
        conn.execute(text(RAW))
        raw_seconds = time.perf_counter() - began
        raw_rows = conn.execute(text("SELECT count(*) FROM raw_copy")).scalar_one()
    with session_scope() as session:
        began = time.perf_counter()
        made = generation.generate(session, election_id=election_id, actor=SYSTEM)
    seconds = time.perf_counter() - began
    print(f"raw CREATE TABLE AS SELECT of {raw_rows:,} active stays: {raw_seconds:.2f} s")
    print(f"generate: {made.voters:,} voters on {made.lists} lists in {seconds:.2f} s "
          f"({made.voters / seconds:,.0f} voters/s; {raw_seconds / seconds:.0%} of the raw copy's"
          " speed)")  # fmt: skip
    with session_scope() as session:
        biggest = session.execute(
            select(VoterList.representation_code, func.count())
            .select_from(VoterList)
            .join(VoterEntry, VoterEntry.list_id == VoterList.id)
            .group_by(VoterList.representation_code)
            .order_by(func.count().desc())
            .limit(1)
        ).one()
    post, voters = biggest
    with session_scope() as session:
        began = time.perf_counter()
        checks.run_checks(session, election_id=election_id, post=post, actor=SYSTEM)
        checked = time.perf_counter() - began
    with session_scope() as session:
        began = time.perf_counter()
        made_file = roll.export(session, SYSTEM, election_id=election_id, post=post,
                                file_format="csv")  # fmt: skip
        exported = time.perf_counter() - began
    print(f"checks of {post} ({voters:,} voters): {checked:.2f} s")
    print(f"CSV export of {post}: {exported:.2f} s, {len(made_file.content) / 1e6:.1f} MB "
          f"({exported / voters * 1000 * 1000:.1f} ms per 1,000 voters)")  # fmt: skip


if __name__ == "__main__":
    main()
