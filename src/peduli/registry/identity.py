"""An officer corrects a person's identity: name, date and place of birth, sex, NIK.

The values are checked as a self-report checks them (the name's characters, a birth date in
the past, a NIK of 16 digits whose coded birth date and sex agree with the record's), the
change is allowed to the officers of the person's post and to HQ (the policy's write
check), and the audit entry names the fields that changed, never their values. A NIK
another record holds is refused and the pair queued for a merge; a corrected name or birth
date is matched against the other records again (``matching``), as a new report is.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth import audit, policy
from peduli.auth.actor import Actor
from peduli.auth.policy import Access
from peduli.auth.roles import IDENTITY_EDITORS
from peduli.core.crypto import get_cipher
from peduli.core.db import after_rollback, utcnow
from peduli.core.errors import Conflict, FieldProblem, NotFound, ValidationFailed, require_valid
from peduli.core.i18n import _
from peduli.core.names import name_problems
from peduli.reference.profile import Sex, get_profile
from peduli.registry import matching, report_records
from peduli.registry.linkage import keys as link_keys
from peduli.registry.models import NIK_PURPOSE, Person, PersonStatus
from peduli.registry.schemas import IdentityEdit
from peduli.registry.service import authorize_person
from peduli.registry.validation import OLDEST_BIRTH

ACTION = "person.edit_identity"
FIELDS = ("full_name", "date_of_birth", "place_of_birth", "sex")
SEXES = ("M", "F")
# The NIK's complaints about a birth date or sex that do not match it, by the field to blame.
_NIK_DISAGREES = {"nik_birth_date_mismatch": "date_of_birth", "nik_sex_mismatch": "sex"}


def editable_person(session: Session, *, person_id: uuid.UUID, actor: Actor) -> Person:
    """The person whose identity ``actor`` may change (a refusal is audited)."""
    policy.require_role(session, actor, roles=IDENTITY_EDITORS, action=ACTION)
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(_("No person has this id."))
    authorize_person(session, actor, person_id=person.id, access=Access.WRITE, action=ACTION)
    if person.status != PersonStatus.ACTIVE:
        raise Conflict(
            _("This record was merged or erased; correct the surviving record instead."),
            code="person_not_active",
        )
    return person


def nik_of(person: Person) -> str | None:
    """The person's NIK in clear, for the correction form (read after ``read_identity``)."""
    if not person.nik_encrypted:
        return None
    return get_cipher().decrypt(person.nik_encrypted, purpose=NIK_PURPOSE)


def read_identity(session: Session, *, person_id: uuid.UUID, actor: Actor) -> Person:
    """The person as the correction form shows them, NIK included; the read is audited."""
    person = editable_person(session, person_id=person_id, actor=actor)
    audit.record(
        session,
        actor=actor,
        action="person.read",
        entity_type="person",
        entity_id=str(person.id),
        subject_person_id=person.id,
        fields=["identity", "nik"],  # the form shows the NIK in clear
    )
    return person


@dataclass(frozen=True)
class Correction:
    """What a correction changed (field names), and how many records now look like it."""

    person: Person
    changed: list[str]
    possible_duplicates: int


def edit_identity(
    session: Session,
    *,
    person_id: uuid.UUID,
    edit: IdentityEdit,
    actor: Actor,
    today: date | None = None,
) -> Correction:
    """Correct the identity fields given (the others stay); the fields changed are audited,
    and a new name or birth date is checked for duplicates again."""
    person = editable_person(session, person_id=person_id, actor=actor)
    wanted = _wanted(person, edit)
    nik = get_profile().normalize_national_id(edit.nik) if edit.nik else None
    if nik is not None and person.nik_index == _nik_index(nik):
        nik = None  # the NIK it has already
    require_valid(_problems(person, wanted, nik, today or utcnow().date()))
    changed = [field for field in FIELDS if getattr(person, field) != wanted[field]]
    if nik is not None:
        _require_nik_free(session, person, nik)
        person.nik_encrypted, person.nik_index = report_records.stored_identifier(
            nik, purpose=NIK_PURPOSE
        )
        changed.append("nik")
    if not changed:
        return Correction(person, [], 0)
    for field in FIELDS:
        setattr(person, field, wanted[field])
    if "full_name" in changed:
        person.name_key = report_records.stored_name_key(wanted["full_name"], get_profile())
    nik_now = nik or nik_of(person)
    link_keys.apply(
        person,
        link_keys.link_keys(
            person.full_name, person.date_of_birth, nik_now, person.sex, person.place_of_birth
        ),
    )
    duplicates = 0
    if {"full_name", "date_of_birth", "nik"} & set(changed):
        duplicates = matching.flag_possible_duplicates(session, person, None)
    audit.record(
        session,
        actor=actor,
        action=ACTION,
        entity_type="person",
        entity_id=str(person.id),
        subject_person_id=person.id,
        fields=changed,
    )
    return Correction(person, changed, duplicates)


def _wanted(person: Person, edit: IdentityEdit) -> dict[str, Any]:
    """The identity fields as they should read: those given, the others as they are."""
    wanted = {field: getattr(person, field) for field in FIELDS}
    wanted |= {field: getattr(edit, field) for field in FIELDS if field in edit.model_fields_set}
    wanted["full_name"] = " ".join((wanted["full_name"] or "").split())
    wanted["place_of_birth"] = " ".join((wanted["place_of_birth"] or "").split()) or None
    return wanted


def _nik_index(nik: str) -> str:
    return get_cipher().blind_index(nik, purpose=NIK_PURPOSE)


def _require_nik_free(session: Session, person: Person, nik: str) -> None:
    """Refuse a NIK another record holds: the way forward is to merge the two, so the pair
    is put among the possible duplicates (kept although the correction rolls back)."""
    other = session.scalar(
        select(Person.id).where(Person.nik_index == _nik_index(nik), Person.id != person.id)
    )
    if other is None:
        return
    after_rollback(session, _flag_same_nik(person.id, other))
    raise ValidationFailed(
        [
            FieldProblem(
                "nik",
                "nik_on_another_record",
                _("This NIK is already on another record."),
                _(
                    "If both records are the same person, merge them: the pair is now among "
                    "the possible duplicates of the work queue. Otherwise check the NIK "
                    "against the KTP or the family card."
                ),
            )
        ]
    )


def _flag_same_nik(person_id: uuid.UUID, other_id: uuid.UUID) -> Callable[[Session], None]:
    def write(fresh: Session) -> None:
        matching.flag_pair(fresh, person_id, other_id, score=100.0, reason="same NIK")

    return write


def _problems(
    person: Person, wanted: dict[str, Any], nik: str | None, today: date
) -> list[FieldProblem]:
    problems = name_problems(wanted["full_name"], field="full_name")
    if not wanted["full_name"]:
        problems.append(
            FieldProblem(
                "full_name",
                "name_required",
                _("The full name cannot be empty."),
                _("Write the name as in the passport, e.g. Siti Aminah."),
            )
        )
    if wanted["sex"] not in SEXES:
        problems.append(
            FieldProblem(
                "sex",
                "sex_required",
                _("Choose the sex."),
                _("As in the passport: male or female."),
            )
        )
    born = wanted["date_of_birth"]
    if born is None or not OLDEST_BIRTH <= born <= today:
        problems.append(
            FieldProblem(
                "date_of_birth",
                "implausible_birth_date",
                _("The date of birth must be in the past."),
                _("Write it as YYYY-MM-DD, e.g. 1990-05-17."),
            )
        )
        return problems
    return problems + _nik_problems(person, nik, born, wanted["sex"])


def _nik_problems(person: Person, nik: str | None, born: date, sex: Sex) -> list[FieldProblem]:
    """A new NIK checked whole (16 digits, its birth date and sex against the record's); the
    record's own NIK only against a corrected birth date or sex, blamed on those fields."""
    profile = get_profile()
    if nik is not None:
        return profile.validate_national_id(nik, date_of_birth=born, sex=sex, field="nik")
    stored = nik_of(person)
    if stored is None:
        return []
    problems = []
    for problem in profile.validate_national_id(
        stored, date_of_birth=born, sex=sex, field="date_of_birth"
    ):
        field = _NIK_DISAGREES.get(problem.code)
        if field:  # (the stored NIK's own shape is not this correction's business)
            problems.append(FieldProblem(field, problem.code, problem.message, problem.hint))
    return problems
