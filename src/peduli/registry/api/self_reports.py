"""Lapor diri by API: the self-report (the busiest write) and a stay's update and departure."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response, status

from peduli.api.deps import (
    Credentials,
    DbSession,
    credentials_for,
)
from peduli.api.hot_paths import hot_path_write_as_caller
from peduli.api.responses import model_response
from peduli.auth.tokens import SELF_REPORTS_WRITE
from peduli.core.i18n import _, in_language
from peduli.registry import service, stays
from peduli.registry.api.common import (
    NO_STORE,
    Writer,
    no_store,
    representation_ref,
)
from peduli.registry.schemas import (
    ClaimPending,
    DepartureReport,
    PersonSummary,
    SelfReportCreate,
    SelfReportResult,
    StayRead,
    StayUpdate,
)

router = APIRouter(tags=["registry"])
# The self-report resolves its caller in its own worker thread (hot_path_write_as_caller).
Reporter = Annotated[Credentials, Depends(credentials_for(SELF_REPORTS_WRITE))]


CLAIM_MESSAGE = _(
    "These identity numbers are already in our records. We will confirm your identity "
    "before your report joins the record: enter the code sent to the contact the record "
    "holds, or show your passport to your representation in person or by video."
)


@router.post(
    "/self-reports",
    status_code=status.HTTP_201_CREATED,
    response_model=SelfReportResult,
    responses={
        status.HTTP_202_ACCEPTED: {
            "model": ClaimPending,
            "description": "The NIK or passport is on a record that is not yours: a pending "
            "claim, applied only once your identity is confirmed.",
        }
    },
)
async def create_self_report(
    report: SelfReportCreate, db: DbSession, credentials: Reporter
) -> Response:
    """Lapor diri: a signed-in citizen for themself, or staff for someone in their jurisdiction."""
    return await hot_path_write_as_caller(
        db,
        credentials,
        lambda actor: _self_report_answer(
            service.submit_self_report(db, report=report, actor=actor), language=report.language
        ),
    )


def _self_report_answer(
    outcome: service.SelfReportOutcome | service.PendingClaim, *, language: str
) -> Response:
    """201 with the person and stay, or 202 when the report became a pending identity claim."""
    if isinstance(outcome, service.PendingClaim):
        pending = ClaimPending(
            claim_id=outcome.claim.id,
            status=outcome.claim.status,
            message=in_language(CLAIM_MESSAGE, language),
            representation=representation_ref(outcome.representation),
        )
        return model_response(pending, status_code=status.HTTP_202_ACCEPTED, headers=NO_STORE)
    result = SelfReportResult(
        person=PersonSummary.model_validate(outcome.person),
        stay=StayRead.model_validate(outcome.stay),
        representation=representation_ref(outcome.representation),
        attached_to_existing=outcome.attached_to_existing,
        possible_duplicates=outcome.possible_duplicates,
        account_linked=outcome.account_linked,
    )
    return model_response(result, status_code=status.HTTP_201_CREATED, headers=NO_STORE)


@router.patch("/stays/{stay_id}", response_model=StayRead)
def update_stay(
    stay_id: uuid.UUID, changes: StayUpdate, db: DbSession, actor: Writer, response: Response
) -> StayRead:
    """Change a stay; moving to another country moves it to that country's representation."""
    no_store(response)
    return StayRead.model_validate(
        stays.update_stay(db, stay_id=stay_id, changes=changes, actor=actor)
    )


@router.post("/stays/{stay_id}/departure", response_model=StayRead)
def report_departure(
    stay_id: uuid.UUID,
    body: DepartureReport,
    db: DbSession,
    actor: Writer,
    response: Response,
) -> StayRead:
    """Report that the citizen has left the country of this stay."""
    no_store(response)
    return StayRead.model_validate(
        stays.report_departure(db, stay_id=stay_id, departed_on=body.departed_on, actor=actor)
    )
