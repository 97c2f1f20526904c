"""HQ's revisions of a service: only HQ publishes, a revision that changes nothing or carries
bad fields is refused field by field, and the differences name only what changed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor, Role
from peduli.auth.audit import AuditEntry
from peduli.core.db import rollback_and_keep
from peduli.core.errors import Forbidden, ValidationFailed
from peduli.core.i18n import LANGUAGES
from peduli.services import catalogue, revisions
from peduli.services.revisions import RequirementEdit, ServiceEdit
from tests.cases.conftest import staff_actor


def _edit(**changes: object) -> ServiceEdit:
    """The shipped passport renewal as its form sends it, with ``changes``."""
    shipped = next(e for e in catalogue.shipped() if e.code == "passport-renewal")
    values: dict[str, object] = {
        "fee_usd": "25.00",
        "sla_working_days": "3",
        "channel": "both",
        "applying_for": ("self", "child"),
        "eligibility": {lang: shipped.eligibility.get(lang) for lang in LANGUAGES},
        "requirements": tuple(
            RequirementEdit(r.document, r.who, r.upload) for r in shipped.requirements
        ),
        "change_note": "a note",
    }
    return ServiceEdit(**(values | changes))  # type: ignore[arg-type]


@pytest.fixture
def hq(loaded: Session) -> Actor:
    return staff_actor(loaded, Role.HQ_ADMIN, None, "hq-admin")


def test_a_supervisor_may_not_publish_and_the_denial_is_audited(loaded: Session) -> None:
    supervisor = staff_actor(loaded, Role.SUPERVISOR, "kbri-seoul", "sup-seoul")
    with pytest.raises(Forbidden):
        revisions.revise(loaded, code="passport-renewal", edit=_edit(fee_usd="1"),
                         actor=supervisor)  # fmt: skip
    rollback_and_keep(loaded)
    assert catalogue.current_of(loaded, "passport-renewal")[0] == 1
    denied = loaded.scalars(select(AuditEntry.action).where(AuditEntry.outcome == "denied"))
    assert "service.publish" in list(denied)


def test_bad_fields_and_no_change_are_refused(loaded: Session, hq: Actor) -> None:
    with pytest.raises(ValidationFailed) as refused:
        revisions.revise(loaded, code="passport-renewal", actor=hq, edit=_edit(
            fee_usd="-1", sla_working_days="61", channel="fax", applying_for=(),
            requirements=(RequirementEdit("photo", "applicant", False),
                          RequirementEdit("photo", "nobody", False)),
        ))  # fmt: skip
    assert {p.field for p in refused.value.problems} == {
        "fee_usd", "sla_working_days", "channel", "applying_for", "requirement_1_document",
    }  # fmt: skip
    with pytest.raises(ValidationFailed) as unchanged:
        revisions.revise(loaded, code="passport-renewal", edit=_edit(), actor=hq)
    assert unchanged.value.problems[0].code == "unchanged"


def test_the_differences_name_only_what_changed(loaded: Session, hq: Actor) -> None:
    revisions.revise(loaded, code="passport-renewal", actor=hq,
                     edit=_edit(fee_usd="30", applying_for=("self",)))  # fmt: skip
    (_new, after), (_old, before) = revisions.versions(loaded, "passport-renewal")
    assert after.fee_usd == Decimal("30.00") and before.fee_usd == Decimal("25.00")
    changed = revisions.differences(before, after, "en")
    assert [(d.field, d.before, d.after) for d in changed] == [
        ("fee_usd", "25.00", "30.00"),
        ("applying_for", "self child", "self"),
    ]
