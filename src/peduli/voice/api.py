"""The voice line's webhooks under ``/api/v1/channels/voice/``: an incoming call, the keys
pressed at a menu, the end of a transfer, and the platform's status callbacks.

No caller credential: the platform's signature on every request is the credential (a
missing one 401, a wrong one 403, as problem+json). Answers are the platform's own
instructions (TwiML-like XML); the status callback answers 204.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, status
from pydantic import ValidationError

from peduli.api.deps import PUBLIC, DbSession
from peduli.core.db import utcnow
from peduli.core.errors import FieldProblem, Forbidden, NotAuthenticated, ValidationFailed
from peduli.core.i18n import _
from peduli.voice import service
from peduli.voice.ivr import Step
from peduli.voice.platform import current_platform, webhook_url
from peduli.voice.ports import Instruction, TelephonyPlatform
from peduli.voice.schemas import CallEvent
from peduli.voice.twiml import MEDIA_TYPE, SIGNATURE_HEADER

router = APIRouter(prefix="/channels/voice", tags=["voice"])
INSTRUCTIONS: dict[int | str, dict[str, Any]] = {
    200: {"content": {MEDIA_TYPE: {}}, "description": "What the platform does next."}
}


@dataclass(frozen=True)
class SignedEvent:
    platform: TelephonyPlatform
    event: CallEvent


async def signed_event(request: Request) -> SignedEvent:
    """The platform's event, once its signature over the URL and the form is checked."""
    form = await request.form()
    params = {name: value for name, value in form.items() if isinstance(value, str)}
    signature = request.headers.get(SIGNATURE_HEADER)
    if not signature:
        raise NotAuthenticated(_("Send the platform's signature in X-Twilio-Signature."))
    query = f"?{request.url.query}" if request.url.query else ""
    platform = current_platform()
    if not platform.is_authentic(url=webhook_url(request.url.path) + query, params=params,
                                 signature=signature):  # fmt: skip
        raise Forbidden(_("The signature does not match this request."), code="bad_signature")
    try:
        return SignedEvent(platform, CallEvent.model_validate(params))
    except ValidationError as error:
        field = str(error.errors()[0]["loc"][0]) if error.errors()[0]["loc"] else "CallSid"
        raise ValidationFailed(
            [FieldProblem(field, "voice.bad_event", _("The call event lacks a field."))]
        ) from error


Signed = Annotated[SignedEvent, Depends(signed_event)]


def _answer(platform: TelephonyPlatform, instructions: list[Instruction]) -> Response:
    media_type, body = platform.render(instructions)
    return Response(content=body, media_type=media_type)


@router.post("/calls", dependencies=[PUBLIC], response_class=Response, responses=INSTRUCTIONS)
def incoming_call(signed: Signed, db: DbSession) -> Response:
    """A call rings on the voice line: the language menu."""
    return _answer(signed.platform, service.incoming(db, event=signed.event, now=utcnow()))


@router.post(
    "/calls/gather", dependencies=[PUBLIC], response_class=Response, responses=INSTRUCTIONS
)
def gather_result(
    signed: Signed,
    db: DbSession,
    step: Annotated[Step, Query()],
    attempt: Annotated[int, Query(ge=1, le=9)] = 1,
) -> Response:
    """The keys pressed at a menu (or none): the next menu, or the duty officer."""
    instructions = service.gathered(db, event=signed.event, step=step, attempt=attempt,
                                    now=utcnow())  # fmt: skip
    return _answer(signed.platform, instructions)


@router.post("/calls/dial", dependencies=[PUBLIC], response_class=Response, responses=INSTRUCTIONS)
def dial_result(signed: Signed, db: DbSession) -> Response:
    """The transfer to the duty officer ended: talked, or nobody answered."""
    return _answer(signed.platform, service.dialled(db, event=signed.event, now=utcnow()))


@router.post(
    "/calls/status",
    dependencies=[PUBLIC],
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
)
def status_callback(signed: Signed, db: DbSession) -> Response:
    """The platform's status callback (ringing, in progress, completed …)."""
    service.status_changed(db, event=signed.event, now=utcnow())
    return Response(status_code=status.HTTP_204_NO_CONTENT)
