"""A BP2MI placement export for the demo, consistent with the demo's population.

Most rows are migrant workers the demo seeded (the same generator, seed and day: they link
to the people on record), some are workers the registry has never seen (created), and a
few carry the mistakes clerks meet in real exports (a birth date that is no date, a sector
nobody knows, a NIK that does not match the birth date, a row sent twice, an empty city),
so the dry run has something to report.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from peduli.agencies.imports_columns import PLACEMENT_COLUMNS
from peduli.demo.population import Citizen, Population
from peduli.reference import countries

HEADERS = tuple(column.label for column in PLACEMENT_COLUMNS)
# The registry's sectors as BP2MI writes them (jabatan).
BP2MI_SECTORS = {
    "domestic_work": "PLRT", "caregiving": "Perawat", "plantation": "Perkebunan",
    "manufacturing": "Manufaktur", "construction": "Konstruksi", "fishing_crew": "ABK",
    "hospitality": "Perhotelan", "agriculture": "Pertanian", "healthcare": "Kesehatan",
    "office_professional": "Profesional", "other": "Lainnya",
}  # fmt: skip
NEW_WORKERS_SEED_OFFSET = 7919  # another population: workers the demo never seeded


def _workers(population: Population, count: int) -> Iterator[Citizen]:
    """Migrant workers (a stay for work, a NIK and a passport), first reports only."""
    for citizen in population.citizens(count):
        if (
            citizen.purpose == "work"
            and citizen.nik
            and citizen.passport
            and citizen.duplicate_of is None
        ):
            yield citizen


def _row(citizen: Citizen) -> dict[str, str]:
    start = citizen.arrival_date
    end = citizen.planned_end_date
    return {
        "NIK": citizen.nik or "",
        "Nama Lengkap": citizen.full_name,
        "Jenis Kelamin": "P" if citizen.sex == "F" else "L",
        "Tanggal Lahir": citizen.date_of_birth.strftime("%d-%m-%Y"),
        "Tempat Lahir": citizen.place_of_birth,
        "Nomor Paspor": citizen.passport or "",
        "Nomor HP": citizen.phone,
        "Negara Penempatan": countries.country_name(citizen.country, "id"),
        "Kota Penempatan": citizen.city,
        "Pemberi Kerja": citizen.employer or "",
        "P3MI": citizen.placement_agency or "",
        "Sektor": BP2MI_SECTORS.get(citizen.sector or "other", "Lainnya"),
        "Mulai Kontrak": start.isoformat(),
        "Akhir Kontrak": end.isoformat() if end else "",
    }


def export_rows(
    *, seed: int, citizens: int, today: date, known: int = 300, new: int = 40
) -> list[dict[str, str]]:
    """The rows of the demo export: ``known`` seeded workers, ``new`` unseen, and a few
    with mistakes."""
    seeded = list(_workers(Population(seed=seed, today=today), citizens))[:known]
    unseen_population = Population(seed=seed + NEW_WORKERS_SEED_OFFSET, today=today)
    unseen = list(_workers(unseen_population, new * 4))[:new]
    rows = [_row(c) for c in seeded] + [_row(c) for c in unseen]
    if len(unseen) >= 5:
        broken = [_row(c) for c in list(_workers(unseen_population, new * 8))[new : new + 5]]
        broken[0]["Tanggal Lahir"] = "31-02-1991"  # no such day
        broken[1]["Sektor"] = "Astronot"  # no such sector
        broken[2]["Tanggal Lahir"] = "01-01-1980"  # the NIK says another birth date
        broken[3]["Kota Penempatan"] = ""  # the city left out
        broken[4]["Jenis Kelamin"] = "-"  # no sex given
        rows += broken
    if seeded:
        rows.append(dict(rows[0]))  # the first worker sent twice
    return rows


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    """Write the rows as a CSV export with a BOM and semicolons, as Excel in Indonesia does."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=HEADERS, delimiter=";")
        writer.writeheader()
        writer.writerows(rows)
