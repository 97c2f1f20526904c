"""An officer corrects a person's identity: name, date and place of birth, sex.

The values are checked as a self-report checks them (the name's characters, a birth date in
the past, and the NIK's coded birth date and sex against the new ones), the change is
allowed to the officers of the person's post and to HQ (the policy's write check), and the
audit entry names the fields that changed, never their values.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.orm import Session

from peduli.auth import audit, policy
from peduli.auth.actor import Actor
from peduli.auth.policy import Access
from peduli.auth.roles import IDENTITY_EDITORS
from peduli.core.crypto import get_cipher
from peduli.core.db import utcnow
from peduli.core.errors import Conflict, FieldProblem, NotFound, require_valid
from peduli.core.i18n import _
from peduli.core.names import name_problems
from peduli.reference.profile import get_profile
from peduli.registry import report_records
from peduli.registry.models import NIK_PURPOSE, Person, PersonStatus
from peduli.registry.schemas import IdentityEdit
from peduli.registry.service import authorize_person
from peduli.registry.validation import OLDEST_BIRTH

ACTION = "person.edit_identity"
FIELDS = ("full_name", "date_of_birth", "place_of_birth", "sex")
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


def read_identity(session: Session, *, person_id: uuid.UUID, actor: Actor) -> Person:
    """The person as the correction form shows them; the read is audited."""
    person = editable_person(session, person_id=person_id, actor=actor)
    audit.record(
        session,
        actor=actor,
        action="person.read",
        entity_type="person",
        entity_id=str(person.id),
        subject_person_id=person.id,
        fields=["identity"],
    )
    return person


def edit_identity(
    session: Session,
    *,
    person_id: uuid.UUID,
    edit: IdentityEdit,
    actor: Actor,
    today: date | None = None,
) -> list[str]:
    """Correct the identity fields; return the names of those that changed (audited)."""
    person = editable_person(session, person_id=person_id, actor=actor)
    full_name = " ".join(edit.full_name.split())
    place = " ".join((edit.place_of_birth or "").split()) or None
    require_valid(_problems(person, edit, full_name, today or utcnow().date()))
    wanted = {
        "full_name": full_name,
        "date_of_birth": edit.date_of_birth,
        "place_of_birth": place,
        "sex": edit.sex,
    }
    changed = [field for field in FIELDS if getattr(person, field) != wanted[field]]
    if not changed:
        return []
    for field in changed:
        setattr(person, field, wanted[field])
    if "full_name" in changed:
        person.name_key = report_records.stored_name_key(full_name, get_profile())
    audit.record(
        session,
        actor=actor,
        action=ACTION,
        entity_type="person",
        entity_id=str(person.id),
        subject_person_id=person.id,
        fields=changed,
    )
    return changed


def _problems(
    person: Person, edit: IdentityEdit, full_name: str, today: date
) -> list[FieldProblem]:
    problems = name_problems(full_name, field="full_name")
    if not full_name:
        problems.append(
            FieldProblem(
                "full_name",
                "name_required",
                _("The full name cannot be empty."),
                _("Write the name as in the passport, e.g. Siti Aminah."),
            )
        )
    if not OLDEST_BIRTH <= edit.date_of_birth <= today:
        problems.append(
            FieldProblem(
                "date_of_birth",
                "implausible_birth_date",
                _("The date of birth must be in the past."),
                _("Write it as YYYY-MM-DD, e.g. 1990-05-17."),
            )
        )
        return problems
    if person.nik_encrypted:
        # The NIK codes the birth date and sex: a correction must agree with it.
        nik = get_cipher().decrypt(person.nik_encrypted, purpose=NIK_PURPOSE)
        for problem in get_profile().validate_national_id(
            nik, date_of_birth=edit.date_of_birth, sex=edit.sex, field="date_of_birth"
        ):
            field = _NIK_DISAGREES.get(problem.code)
            if field:  # (the stored NIK's own shape is not this correction's business)
                problems.append(FieldProblem(field, problem.code, problem.message, problem.hint))
    return problems
