"""The synthetic placements of ``benchmarks.agency_import``: valid, unique, cheap to make."""

from __future__ import annotations

from datetime import date, timedelta

HEADERS = (
    "NIK", "Nama Lengkap", "Jenis Kelamin", "Tanggal Lahir", "Tempat Lahir", "Nomor Paspor",
    "Nomor HP", "Negara Penempatan", "Kota Penempatan", "Pemberi Kerja", "P3MI", "Sektor",
    "Mulai Kontrak", "Akhir Kontrak",
)  # fmt: skip
PLACES = (("Malaysia", "Kuala Lumpur"), ("Arab Saudi", "Riyadh"), ("Hong Kong", "Hong Kong"),
          ("Taiwan", "Taipei"), ("Singapura", "Singapore"), ("Korea Selatan", "Seoul"))  # fmt: skip
SECTORS = ("PLRT", "Perawat", "Manufaktur", "Konstruksi", "Perkebunan", "ABK")
NAMES = ("Siti Aminah", "Dewi Lestari", "Muhammad Yusuf", "Sri Wahyuni", "Agus Salim",
         "Nur Hidayah", "Budi Santoso", "Rina Marlina")  # fmt: skip
FIRST_BIRTH = date(1975, 1, 1)
BIRTH_DAYS = 9000  # born 1975-1999
SERIALS = 9999  # a NIK's last four digits


def placement(number: int) -> tuple[str, ...]:
    """The ``number``-th placement: a NIK unique by (birth day, serial)."""
    born = FIRST_BIRTH + timedelta(days=number % BIRTH_DAYS)
    serial = number // BIRTH_DAYS + 1
    assert serial <= SERIALS, "more placements than this generator has NIKs for"
    female = number % 3 != 0
    day = born.day + (40 if female else 0)
    nik = f"317101{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"
    country, city = PLACES[number % len(PLACES)]
    start = date(2025, 1, 1) + timedelta(days=number % 600)
    return (
        nik,
        f"{NAMES[number % len(NAMES)]} {number}",
        "P" if female else "L",
        born.strftime("%d-%m-%Y"),
        "Cilacap",
        f"E{number:07d}",
        f"+62812{number:08d}",
        country,
        city,
        f"Employer {number % 5000}",
        "PT Sinar Jaya",
        SECTORS[number % len(SECTORS)],
        start.isoformat(),
        (start + timedelta(days=730)).isoformat(),
    )
