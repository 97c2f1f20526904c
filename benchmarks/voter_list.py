"""Generating the overseas voter list (DP4LN) from the registry, on PostgreSQL.

    python -m benchmarks.voter_list [--citizens 200000]

Seeds the demo population (``peduli seed``'s rows: people, passports, contacts, stays; COPY)
into its own database ``peduli_elections_bench``, then measures:

- a round of every post's list (``elections.generation.generate``: the eligible entries with
  their method, ordinal and copied ciphertexts in one ``INSERT … SELECT``, then the places'
  ``UPDATE``), against the ceiling: a raw ``INSERT … SELECT`` of every active stay with its
  person into the same table (same keys and indexes, rolled back), measured in the same run;
- the checks of the largest post's list, and its CSV export (every NIK, passport, address and
  contact opened) per 1,000 voters.
"""

from __future__ import annotations

import argparse
import time

from sqlalchemy import text

from benchmarks._common import machine, postgres_url, recreate_postgres, use_database

DATABASE = "peduli_elections_bench"
# The ceiling: the same rows into the same table (its keys and indexes), without the rule's
# work (newest stay, eligibility, method CASE, ordinal, passport and contact look-ups).
RAW = (
    "INSERT INTO voter_entry (list_id, election_id, round, representation_code, person_id,"
    " nik_encrypted, nik_index, full_name, sex, date_of_birth, place_of_birth, country, city,"
    " address_encrypted, verification, sector, proposed_method, method, ordinal)"
    " SELECT vl.id, vl.election_id, vl.round, s.representation_code, p.id, p.nik_encrypted,"
    " p.nik_index, p.full_name, p.sex, p.date_of_birth, p.place_of_birth, s.country, s.city,"
    " s.address, p.verification, s.sector, 'tpsln', 'tpsln', 0"
    " FROM stay s JOIN person p ON p.id = s.person_id"
    " JOIN voter_list vl ON vl.representation_code = s.representation_code"
    " WHERE s.status = 'active'"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--citizens", type=int, default=200_000)
    parser.add_argument("--reuse", action="store_true", help="keep the seeded citizens")
    args = parser.parse_args()
    use_database(postgres_url(DATABASE) if args.reuse else recreate_postgres(DATABASE))
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
    if args.reuse:
        with get_engine().begin() as conn:
            conn.execute(text("DELETE FROM election"))
    else:
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
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()
        # The raw copy into lists made for it, rolled back.
        conn.execute(
            text(
                "INSERT INTO voter_list (id, election_id, representation_code, round, state,"
                " generated_at) SELECT gen_random_uuid(), :election, code, 99, 'draft', now()"
                " FROM (SELECT DISTINCT representation_code AS code FROM stay"
                " WHERE status = 'active' AND representation_code IS NOT NULL) c"
            ),
            {"election": election_id},
        )
        began = time.perf_counter()
        raw_rows = conn.execute(text(RAW)).rowcount
        raw_seconds = time.perf_counter() - began
        conn.rollback()
    with session_scope() as session:
        began = time.perf_counter()
        made = generation.generate(session, election_id=election_id, actor=SYSTEM)
    seconds = time.perf_counter() - began
    print(f"raw INSERT … SELECT of {raw_rows:,} active stays into voter_entry: {raw_seconds:.2f} s")
    print(f"generate: {made.voters:,} voters on {made.lists} lists in {seconds:.2f} s "
          f"({made.voters / seconds:,.0f} voters/s; {raw_seconds / seconds:.0%} of the raw insert's"
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
