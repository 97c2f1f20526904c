"""Bulk writes of people and stays from another domain's staged rows, as statements.

The registry owns persons, passports, contacts and stays; a bulk import (an agency's
export) stages its rows in its own table and hands the registry a ``SELECT`` of them with
the columns named below. Each function is one ``INSERT … SELECT`` or ``UPDATE``, never a
loop over rows; identifiers arrive sealed and blind-indexed as the registry stores them
(the ciphertext is copied, so the purposes must be the registry's).

Contacts from an agency are kept but not trusted: they do not sign in or receive messages
until the person proves them (``registry.contacts``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    ScalarSelect,
    Select,
    SQLColumnExpression,
    UniqueConstraint,
    and_,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from peduli.registry.linkage.keys import LINK_COLUMNS
from peduli.registry.models import (
    ContactKind,
    ContactPoint,
    Passport,
    Person,
    PersonStatus,
    Purpose,
    Stay,
    StayStatus,
    Verification,
)
from peduli.registry.report_records import CONSENT_VERSION

# Another domain's SELECT of staged rows, whatever its column types.
StagedRows = Select[*tuple[Any, ...]]

# The columns each statement reads from the caller's SELECT, by label.
NEW_PERSON = (
    "person_id", "full_name", "name_key", "sex", "date_of_birth", "place_of_birth",
    "nik_encrypted", "nik_index", "home_province", *LINK_COLUMNS,
)  # fmt: skip
NEW_PASSPORT = ("passport_id", "person_id", "number_encrypted", "number_index")
NEW_PHONE = ("contact_id", "person_id", "value", "value_index")
NEW_STAY = (
    "stay_id", "person_id", "country", "city", "representation_code", "sector", "employer",
    "placement_agency", "arrival_date", "planned_end_date",
)  # fmt: skip
NEW_PEOPLE_LANGUAGE = "id"  # Indonesian, until the person chooses another
STAY_UPDATE = ("stay_id", "sector", "employer", "placement_agency", "arrival_date",
               "planned_end_date", "representation_code", "city")  # fmt: skip


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def matched_people(rows: StagedRows, *, source: str) -> StagedRows:
    """For staged rows (``key``, ``nik_index``, ``passport_index``, ``country``): the person
    holding the NIK, else the passport (``person_id``, None when nobody), and that person's
    active placement in the country recorded by ``source`` (``stay_id``). Joins, computed
    once per row, for an ``UPDATE … FROM``."""
    staged = rows.subquery()
    by_nik, by_passport = aliased(Person), aliased(Passport)
    found = (
        select(
            staged.c.key,
            func.coalesce(by_nik.id, by_passport.person_id).label("person_id"),
            staged.c.country,
        )
        .select_from(staged)
        .outerjoin(by_nik, by_nik.nik_index == staged.c.nik_index)
        .outerjoin(by_passport, by_passport.number_index == staged.c.passport_index)
        .subquery()
    )
    return select(
        found.c.key,
        found.c.person_id,
        placement_stay(found.c.person_id, found.c.country, source=source).label("stay_id"),
    )


def on_record(
    nik_index: SQLColumnExpression[Any], passport_index: SQLColumnExpression[Any]
) -> ColumnElement[bool]:
    """Whether a person holds the NIK, or a record the passport (by their blind indexes)."""
    return or_(
        exists().where(Person.nik_index == nik_index),
        exists().where(Passport.number_index == passport_index),
    )


def _unique_keys(*columns: tuple[str, str]) -> tuple[frozenset[str], frozenset[str]]:
    """How PostgreSQL (the constraint) and SQLite (its message) name the unique keys of
    these (table, column)s."""
    tables = Person.metadata.tables
    names = frozenset(
        constraint.name
        for table, column in columns
        for constraint in tables[table].constraints
        if isinstance(constraint, UniqueConstraint)
        and [key.name for key in constraint.columns] == [column]
        and isinstance(constraint.name, str)
    )
    messages = frozenset(f"UNIQUE constraint failed: {table}.{column}" for table, column in columns)
    return names, messages


# The unique keys that keep a NIK, and a passport, to one record.
_IDENTIFIER_CONSTRAINTS, _IDENTIFIER_MESSAGES = _unique_keys(
    ("person", "nik_index"), ("passport", "number_index")
)


def met_identifier_on_record(error: IntegrityError) -> bool:
    """Whether an insert failed because a person holds the NIK, or a record the passport,
    and not for any other reason (PostgreSQL names the constraint; SQLite's message names
    the table and column)."""
    diagnosis = getattr(error.orig, "diag", None)
    if diagnosis is not None:
        return getattr(diagnosis, "constraint_name", None) in _IDENTIFIER_CONSTRAINTS
    return str(error.orig) in _IDENTIFIER_MESSAGES


def identified(rows: StagedRows) -> StagedRows:
    """For staged rows (``key``, ``nik_index``, ``passport_index``): who holds the NIK
    (``nik_person``, its ``nik_status`` and ``nik_born``) and who holds the passport
    (``passport_person``, its ``owner_nik`` index and ``owner_status``), by outer joins, so
    a caller tests them as plain columns (what ``PersonStatus.ACTIVE`` is, is its value)."""
    staged = rows.subquery()
    by_nik, by_passport, owner = aliased(Person), aliased(Passport), aliased(Person)
    return (
        select(
            staged,
            by_nik.id.label("nik_person"),
            by_nik.status.label("nik_status"),
            by_nik.date_of_birth.label("nik_born"),
            by_passport.person_id.label("passport_person"),
            owner.nik_index.label("owner_nik"),
            owner.status.label("owner_status"),
        )
        .select_from(staged)
        .outerjoin(by_nik, by_nik.nik_index == staged.c.nik_index)
        .outerjoin(by_passport, by_passport.number_index == staged.c.passport_index)
        .outerjoin(owner, owner.id == by_passport.person_id)
    )


def placement_stay(
    person_id: SQLColumnExpression[Any], country: SQLColumnExpression[Any], *, source: str
) -> ScalarSelect[Any]:
    """The person's active stay in ``country`` that ``source`` recorded (an earlier import)."""
    return (
        select(Stay.id)
        .where(
            Stay.person_id == person_id,
            Stay.country == country,
            Stay.source == source,
            Stay.status == StayStatus.ACTIVE.value,
        )
        .order_by(Stay.created_at.desc())
        .limit(1)
        .correlate_except(Stay)
        .scalar_subquery()
    )


def create_people(session: Session, rows: StagedRows, *, now: datetime) -> int:
    """Insert a person per row (columns ``NEW_PERSON``): unverified, Indonesian by default.
    The rows carry the person's blocking keys (``linkage.keys.link_keys`` of the same
    fields, made where the NIK was in the clear): without them record linkage finds the
    person by nothing but its identifiers."""
    source = rows.subquery()
    query = select(
        *(source.c[name] for name in NEW_PERSON),
        literal(now).label("created_at"),
        literal(now).label("updated_at"),
        literal(NEW_PEOPLE_LANGUAGE).label("preferred_language"),
        literal(PersonStatus.ACTIVE.value).label("status"),
        literal(Verification.UNVERIFIED.value).label("verification"),
        literal(CONSENT_VERSION).label("consent_version"),
    )
    columns = [
        "id", *NEW_PERSON[1:], "created_at", "updated_at", "preferred_language", "status",
        "verification", "consent_version",
    ]  # fmt: skip
    return _count(session.execute(insert(Person).from_select(columns, query)))


def add_passports(
    session: Session, rows: StagedRows, *, now: datetime, new_people: bool = False
) -> int:
    """Add each row's passport (``NEW_PASSPORT``) that no record holds yet; it is current
    unless the person already has a current one. ``new_people``: the rows are people
    ``create_people`` just wrote, whose passports the caller checked no record holds."""
    source = rows.subquery()
    held = aliased(Passport)
    current = aliased(Passport)
    is_current = (
        literal(True)
        if new_people
        else ~exists().where(current.person_id == source.c.person_id, current.is_current)
    )
    query = select(
        source.c.passport_id,
        source.c.person_id,
        source.c.number_encrypted,
        source.c.number_index,
        is_current,
        literal(now),
    ).where(source.c.number_index.is_not(None))
    if not new_people:
        query = query.where(~exists().where(held.number_index == source.c.number_index))
    columns = ["id", "person_id", "number_encrypted", "number_index", "is_current", "reported_at"]
    return _count(session.execute(insert(Passport).from_select(columns, query)))


def add_phones(session: Session, rows: StagedRows, *, new_people: bool = False) -> int:
    """Add each row's phone (``NEW_PHONE``) the person does not have yet, untrusted
    (``new_people``: people ``create_people`` just wrote, who have none)."""
    source = rows.subquery()
    known = aliased(ContactPoint)
    query = select(
        source.c.contact_id,
        source.c.person_id,
        literal(ContactKind.PHONE.value),
        source.c.value,
        source.c.value_index,
        literal(False),
    ).where(source.c.value_index.is_not(None))
    if not new_people:
        query = query.where(
            ~exists().where(
                known.person_id == source.c.person_id,
                known.kind == ContactKind.PHONE.value,
                known.value_index == source.c.value_index,
            )
        )
    columns = ["id", "person_id", "kind", "value", "value_index", "is_primary"]
    return _count(session.execute(insert(ContactPoint).from_select(columns, query)))


def add_stays(
    session: Session, rows: StagedRows, *, source_name: str, now: datetime, new_people: bool = False
) -> int:
    """A stay for work per row (``NEW_STAY``), placed at its city (no position given), in
    its person's language (``new_people``: people ``create_people`` just wrote, whose
    language is known without looking each up)."""
    source = rows.subquery()
    language = (
        literal(NEW_PEOPLE_LANGUAGE)
        if new_people
        else select(Person.preferred_language)
        .where(Person.id == source.c.person_id)
        .scalar_subquery()
    )
    query = select(
        *(source.c[name] for name in NEW_STAY),
        language,
        literal(Purpose.WORK.value),
        literal(StayStatus.ACTIVE.value),
        literal(source_name),
        literal(now),
        literal(now),
        literal(False),
    )
    columns = [
        "id", *NEW_STAY[1:], "language", "purpose", "status", "source", "created_at",
        "updated_at", "position_approximate",
    ]  # fmt: skip
    return _count(session.execute(insert(Stay).from_select(columns, query)))


def refresh_statistics(session: Session) -> None:
    """Let PostgreSQL plan with the tables' new sizes now (a bulk write grows them faster
    than autovacuum notices); nothing to do on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE person, passport, contact_point, stay"))


def update_stays(session: Session, rows: StagedRows, *, now: datetime) -> int:
    """Bring each placement (``STAY_UPDATE``, by ``stay_id``) up to date with the row."""
    source = rows.subquery()
    values: dict[str, Any] = {name: source.c[name] for name in STAY_UPDATE[1:]}
    statement = (
        update(Stay)
        .where(and_(Stay.id == source.c.stay_id))
        .values({**values, "updated_at": now})
        .execution_options(synchronize_session=False)
    )
    return _count(session.execute(statement))
