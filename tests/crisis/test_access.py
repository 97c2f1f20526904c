"""Who declares a crisis for which posts: HQ for any, a supervisor for their own only."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.auth.audit import AuditEntry
from peduli.core.db import rollback_and_keep
from peduli.core.errors import Forbidden
from peduli.crisis import access, service
from peduli.crisis.schemas import CrisisCreate
from tests import factories

KL = "kbri-kuala-lumpur"


def _body(**fields: object) -> CrisisCreate:
    return CrisisCreate.model_validate(
        {"title": "Banjir", "kind": "flood", "severity": "severe", "area": {"countries": ["MY"]}}
        | fields
    )


def test_hq_names_any_posts_or_none(db: Session) -> None:
    hq = factories.staff(Role.HQ_ADMIN, None)
    assert access.declared_posts(db, hq, ["kbri-seoul"]) == ["kbri-seoul"]
    assert access.declared_posts(db, hq, None) is None


def test_a_supervisors_crisis_involves_their_own_post(db: Session) -> None:
    supervisor = factories.staff(Role.SUPERVISOR, KL)
    crisis = service.declare(db, body=_body(), actor=supervisor)
    assert crisis.representation_codes == KL
    again = service.declare(db, body=_body(representation_codes=[KL]), actor=supervisor)
    assert again.representation_codes == KL


def test_a_supervisor_naming_another_post_is_refused_and_audited(db: Session) -> None:
    supervisor = factories.staff(Role.SUPERVISOR, KL)
    with pytest.raises(Forbidden):
        service.declare(db, body=_body(representation_codes=[KL, "kbri-seoul"]), actor=supervisor)
    rollback_and_keep(db)  # as the request does: the denial outlives the rollback
    denied = db.scalars(select(AuditEntry.action).where(AuditEntry.outcome == "denied")).all()
    assert "crisis.declare" in denied
