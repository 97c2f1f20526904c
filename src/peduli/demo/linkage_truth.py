"""A synthetic Indonesian truth set for record linkage: citizens and their second records.

Each second record is one citizen reported again the way it happens: the name spelt
another way (Moh. for Muhammad, an old spelling, bin/binti and the father's name dropped, a
middle name dropped, a title added, a letter mistyped), the birth date sometimes mistyped,
the NIK left out or with a digit wrong, a renewed passport, often another phone. The truth
(which positions are one person) is known, so precision and recall can be measured
(``benchmarks/linkage_quality.py``, ``tests/registry/linkage``).
"""

from __future__ import annotations

import random
import string
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy.orm import Session

from peduli.core.db import is_postgres, utcnow
from peduli.demo import bulk_write, seed_rows
from peduli.demo.population import Citizen, Population
from peduli.demo.spellings import spelling_variant
from peduli.reference.profile import get_profile

TITLES = ("H.", "Hj.", "Ir.", "Dr.", "Drs.")


@dataclass(frozen=True)
class TruthSet:
    citizens: list[Citizen]
    pairs: set[frozenset[int]]  # positions in ``citizens`` that are one person


def truth_set(count: int, *, seed_value: int = 15, duplicate_share: float = 0.1) -> TruthSet:
    """``count`` records, about ``duplicate_share`` of them second records of earlier ones."""
    rng = random.Random(seed_value)
    population = Population(seed=seed_value, today=date(2026, 12, 1), duplicate_rate=0.0)
    originals = int(count / (1 + duplicate_share))
    citizens = list(population.citizens(originals))
    pairs: set[frozenset[int]] = set()
    passports = {c.passport for c in citizens}
    for original in rng.sample(range(originals), count - originals):
        pairs.add(frozenset((original, len(citizens))))
        again = second_record(rng, citizens[original])
        while again.passport in passports:  # a renewed passport is a new number
            again = replace(again, passport=get_profile().sample_passport(rng))
        passports.add(again.passport)
        citizens.append(again)
    return TruthSet(citizens, pairs)


def second_record(rng: random.Random, citizen: Citizen) -> Citizen:
    """The same citizen reported again, with the variants a second report shows."""
    profile = get_profile()
    name = spelling_variant(rng, citizen.full_name)
    if rng.random() < 0.15:
        name = f"{rng.choice(TITLES)} {name}"
    if rng.random() < 0.2:
        name = mistyped_name(rng, name)
    born = citizen.date_of_birth
    if rng.random() < 0.15:
        born = mistyped_date(rng, born)
    nik = citizen.nik if rng.random() < 0.5 else None
    nik = mistyped_nik(rng, nik) if nik else None  # one NIK per record: kept ones carry a typo
    place = citizen.place_of_birth
    if rng.random() < 0.1:
        place = place.replace("Kab. ", "").replace("Kota ", "")
    return replace(
        citizen,
        full_name=name,
        date_of_birth=born,
        place_of_birth=place,
        nik=nik,
        passport=profile.sample_passport(rng),
        phone=citizen.phone if rng.random() < 0.4 else _other_phone(rng, citizen.phone),
        email=None,
    )


def mistyped_name(rng: random.Random, name: str) -> str:
    """One letter of one word replaced, dropped or swapped with the next."""
    words = name.split(" ")
    long_words = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not long_words:
        return name
    index = rng.choice(long_words)
    word = words[index]
    at = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        word = word[:at] + rng.choice(string.ascii_lowercase) + word[at + 1 :]
    elif kind == 1:
        word = word[:at] + word[at + 1 :]
    else:
        word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    words[index] = word
    return " ".join(words)


def mistyped_date(rng: random.Random, born: date) -> date:
    """One digit of the day or the year's last digit mistyped, or day and month swapped."""
    for _ in range(20):
        kind = rng.randrange(3)
        try:
            if kind == 0:
                day = f"{born.day:02d}"
                at = rng.randrange(2)
                digit = rng.choice([d for d in string.digits if d != day[at]])
                typed = int(day[:at] + digit + day[at + 1 :])
                if typed:
                    return born.replace(day=typed)
            elif kind == 1 and born.day <= 12 and born.day != born.month:
                return born.replace(day=born.month, month=born.day)
            elif kind == 2:
                last = born.year % 10
                return born.replace(
                    year=born.year - last + rng.choice([d for d in range(10) if d != last])
                )
        except ValueError:
            continue
    return born + timedelta(days=1)


def mistyped_nik(rng: random.Random, nik: str) -> str:
    """One digit of the regency, district or serial wrong, or two neighbours swapped."""
    digits = list(nik)
    at = rng.choice((2, 3, 4, 5, 12, 13, 14, 15))
    if rng.random() < 0.3 and at < 15 and digits[at] != digits[at + 1]:
        digits[at], digits[at + 1] = digits[at + 1], digits[at]
    else:
        digits[at] = rng.choice([d for d in string.digits if d != digits[at]])
    return "".join(digits)


def _other_phone(rng: random.Random, phone: str) -> str:
    tail = "".join(rng.choice(string.digits) for _ in range(6))
    return phone[:-6] + tail


def write(session: Session, citizens: Sequence[Citizen], *, batch: int = 20_000) -> list[uuid.UUID]:
    """Insert the records as the seed does; their person ids, in order."""
    representations = seed_rows.RepresentationCache()
    profile = get_profile()
    ids: list[uuid.UUID] = []
    for chunk in _chunks(citizens, batch):
        rows = seed_rows.build_rows(
            chunk, now=utcnow(), representations=representations, profile=profile
        )
        rows.second_reports.clear()
        if is_postgres(session):
            bulk_write.copy_rows(session, bulk_write.sealed_for_copy(rows))
        else:
            bulk_write.insert_rows(session, rows)
        ids += [row[0] for row in rows.person]
    return ids


def _chunks(items: Sequence[Citizen], size: int) -> Iterator[list[Citizen]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])
