"""Registry HTTP API: self-reports, stays, the person screen, search, duplicates, my data."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response, status

from peduli import erasure
from peduli.api.deps import (
    OWN,
    Credentials,
    CurrentActor,
    DbSession,
    credentials_for,
    hot_path_write_as_caller,
    require_scope,
)
from peduli.api.responses import model_response
from peduli.auth.actor import Actor
from peduli.auth.tokens import REGISTRY_READ, REGISTRY_WRITE, SELF_REPORTS_WRITE
from peduli.core.downloads import download_headers
from peduli.core.i18n import _, in_language
from peduli.reference.representations import Representation
from peduli.registry import claims, contacts, corrections, merging, rights, search, service, stays
from peduli.registry.models import DataRequestStatus
from peduli.registry.schemas import (
    AuditEntryRead,
    AuditTrailPage,
    ClaimCode,
    ClaimMerge,
    ClaimOfficerRead,
    ClaimPage,
    ClaimPending,
    ClaimRead,
    ClaimRefusal,
    ContactCodeRequest,
    ContactConfirmation,
    ContactRead,
    CorrectionDecision,
    CorrectionPage,
    CorrectionRead,
    DataRequestCreate,
    DataRequestRead,
    DepartureReport,
    DocumentCheck,
    DuplicatePage,
    DuplicateRead,
    MergeRequest,
    PassportRead,
    PersonRead,
    PersonSearch,
    PersonSummary,
    RepresentationRef,
    SearchHit,
    SearchResult,
    SelfReportCreate,
    SelfReportResult,
    StayRead,
    StayUpdate,
)

router = APIRouter(tags=["registry"])
Reader = Annotated[Actor, Depends(require_scope(REGISTRY_READ))]
Writer = Annotated[Actor, Depends(require_scope(REGISTRY_WRITE))]
# The self-report resolves its caller in its own worker thread (hot_path_write_as_caller).
Reporter = Annotated[Credentials, Depends(credentials_for(SELF_REPORTS_WRITE))]
NO_STORE = {"Cache-Control": "no-store"}


def _no_store(response: Response) -> None:
    response.headers.update(NO_STORE)


def _person_read(view: service.PersonView) -> PersonRead:
    person = view.person
    return PersonRead(
        **PersonSummary.model_validate(person).model_dump(),
        place_of_birth=person.place_of_birth,
        nik=view.nik,
        home_province=person.home_province,
        preferred_language=person.preferred_language,
        emergency_contact_name=person.emergency_contact_name,
        emergency_contact_phone=person.emergency_contact_phone,
        emergency_contact_relation=person.emergency_contact_relation,
        consent_at=person.consent_at,
        merged_into_id=person.merged_into_id,
        passports=[
            PassportRead(number=number, is_current=p.is_current, reported_at=p.reported_at)
            for number, p in view.passports
        ],
        contacts=[
            ContactRead(
                kind=c.kind,
                value=c.value,
                is_primary=c.is_primary,
                trusted=c.trusted_at is not None,
            )
            for c in view.contacts
        ],
        stays=[StayRead.model_validate(s) for s in view.stays],
        created_at=person.created_at,
        updated_at=person.updated_at,
    )


def _representation_ref(representation: Representation | None) -> RepresentationRef | None:
    if representation is None:
        return None
    return RepresentationRef(
        code=representation.code, name=representation.name, hotline=representation.hotline
    )


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
            representation=_representation_ref(outcome.representation),
        )
        return model_response(pending, status_code=status.HTTP_202_ACCEPTED, headers=NO_STORE)
    result = SelfReportResult(
        person=PersonSummary.model_validate(outcome.person),
        stay=StayRead.model_validate(outcome.stay),
        representation=_representation_ref(outcome.representation),
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
    _no_store(response)
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
    _no_store(response)
    return StayRead.model_validate(
        stays.report_departure(db, stay_id=stay_id, departed_on=body.departed_on, actor=actor)
    )


@router.get("/persons/{person_id}", response_model=PersonRead)
def read_person(
    person_id: uuid.UUID,
    db: DbSession,
    actor: Reader,
    response: Response,
    reason: Annotated[
        str | None, Query(max_length=500, description="Required outside your jurisdiction.")
    ] = None,
) -> PersonRead:
    """One screen per person; the read is recorded in the audit log."""
    _no_store(response)
    return _person_read(service.read_person(db, person_id=person_id, actor=actor, reason=reason))


@router.post("/persons/{person_id}/verification", response_model=PersonSummary)
def verify_person(
    person_id: uuid.UUID,
    db: DbSession,
    actor: Writer,
    response: Response,
    verified: Annotated[bool, Query()] = True,
) -> PersonSummary:
    """Mark a record verified against documents (or rejected)."""
    _no_store(response)
    person = service.verify_person(db, person_id=person_id, actor=actor, verified=verified)
    return PersonSummary.model_validate(person)


@router.post("/persons/search", response_model=SearchResult)
def search_people(
    query: PersonSearch, db: DbSession, actor: Reader, response: Response
) -> SearchResult:
    """Find people by name, NIK, passport or phone; identifiers go in the body, not the URL."""
    _no_store(response)
    outcome = search.search_people(db, query=query, actor=actor)
    return SearchResult(
        hits=[
            SearchHit(
                **PersonSummary.model_validate(hit.person).model_dump(),
                score=hit.score,
                representation_codes=hit.representation_codes,
            )
            for hit in outcome.hits
        ],
        out_of_scope=outcome.out_of_scope,
    )


@router.get("/duplicates", response_model=DuplicatePage)
def list_duplicates(
    db: DbSession,
    actor: Reader,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> DuplicatePage:
    """Possible duplicates in your jurisdiction, for merge or dismissal."""
    _no_store(response)
    total, items = merging.list_open(db, actor=actor, limit=limit, offset=offset)
    return DuplicatePage(total=total, items=[DuplicateRead.model_validate(i) for i in items])


@router.post("/duplicates/{candidate_id}/merge", response_model=PersonSummary)
def merge_duplicate(
    candidate_id: uuid.UUID, body: MergeRequest, db: DbSession, actor: Writer
) -> PersonSummary:
    """Merge the pair into the record to keep; every stay and the history are kept."""
    person = merging.merge(
        db, candidate_id=candidate_id, keep_person_id=body.keep_person_id, actor=actor
    )
    return PersonSummary.model_validate(person)


@router.post("/duplicates/{candidate_id}/dismiss", response_model=DuplicateRead)
def dismiss_duplicate(candidate_id: uuid.UUID, db: DbSession, actor: Writer) -> DuplicateRead:
    """Two different people: close the pair."""
    return DuplicateRead.model_validate(merging.dismiss(db, candidate_id=candidate_id, actor=actor))


@router.get("/me", response_model=PersonRead, dependencies=[OWN])
def read_me(db: DbSession, actor: CurrentActor, response: Response) -> PersonRead:
    """The signed-in citizen's own record and stays."""
    _no_store(response)
    return _person_read(service.own_person_view(db, actor=actor))


@router.get("/me/export", dependencies=[OWN])
def export_me(db: DbSession, actor: CurrentActor, response: Response) -> dict[str, Any]:
    """Download all my data as JSON (UU PDP right of access)."""
    response.headers.update(download_headers("peduli-my-data.json"))
    return rights.export_own_data(db, actor=actor)


@router.post(
    "/me/corrections",
    status_code=status.HTTP_201_CREATED,
    response_model=DataRequestRead,
    dependencies=[OWN],
)
def request_correction(
    body: DataRequestCreate, db: DbSession, actor: CurrentActor
) -> DataRequestRead:
    """Ask for a correction of my data; an officer handles it."""
    return DataRequestRead.model_validate(
        rights.request_correction(db, actor=actor, message=body.message)
    )


@router.get("/me/corrections", response_model=list[DataRequestRead], dependencies=[OWN])
def my_corrections(db: DbSession, actor: CurrentActor, response: Response) -> list[DataRequestRead]:
    """My correction requests, newest first, with each decision and its reason."""
    _no_store(response)
    return [
        DataRequestRead.model_validate(r)
        for r in corrections.own_requests(db, person_id=rights.own_person_id(actor))
    ]


@router.get("/data-requests", response_model=CorrectionPage)
def correction_queue(
    db: DbSession,
    actor: Reader,
    response: Response,
    status_filter: Annotated[
        Literal["open", "accepted", "refused", "all"], Query(alias="status")
    ] = "open",
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> CorrectionPage:
    """Correction requests of people whose active stay is in your jurisdiction, oldest first."""
    _no_store(response)
    total, rows = corrections.correction_queue(
        db,
        actor=actor,
        status=None if status_filter == "all" else DataRequestStatus(status_filter),
        limit=limit,
        offset=offset,
    )
    return CorrectionPage(total=total, items=[CorrectionRead.model_validate(r) for r in rows])


@router.get("/data-requests/{request_id}", response_model=CorrectionRead)
def read_correction(
    request_id: uuid.UUID, db: DbSession, actor: Reader, response: Response
) -> CorrectionRead:
    """One correction request of your jurisdiction."""
    _no_store(response)
    row = corrections.read_correction(db, request_id=request_id, actor=actor)
    return CorrectionRead.model_validate(row)


@router.post("/data-requests/{request_id}/decision", response_model=CorrectionRead)
def decide_correction(
    request_id: uuid.UUID,
    body: CorrectionDecision,
    db: DbSession,
    actor: Writer,
    response: Response,
) -> CorrectionRead:
    """Accept or refuse a correction request with a reason; the citizen is told."""
    _no_store(response)
    corrections.decide_correction(
        db,
        request_id=request_id,
        actor=actor,
        accepted=body.decision == "accepted",
        reason=body.reason,
    )
    row = corrections.read_correction(db, request_id=request_id, actor=actor)
    return CorrectionRead.model_validate(row)


@router.delete("/me", status_code=status.HTTP_204_NO_CONTENT, dependencies=[OWN])
def delete_me(db: DbSession, actor: CurrentActor) -> Response:
    """Erase my record from the registry (UU PDP right to deletion)."""
    rights.delete_own_data(db, actor=actor, steps=erasure.STEPS)
    return Response(status_code=status.HTTP_204_NO_CONTENT, headers=NO_STORE)


@router.get("/me/processing-trail", response_model=AuditTrailPage, dependencies=[OWN])
def my_processing_trail(
    db: DbSession,
    actor: CurrentActor,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> AuditTrailPage:
    """Who processed my data, when and why (UU PDP art. 32)."""
    _no_store(response)
    total, entries = rights.processing_trail(db, actor=actor, limit=limit, offset=offset)
    return AuditTrailPage(total=total, items=[AuditEntryRead.model_validate(e) for e in entries])


# --- identity claims ---------------------------------------------------------------------


def _claim_officer_read(view: claims.ClaimView) -> ClaimOfficerRead:
    claim = view.claim
    return ClaimOfficerRead(
        **ClaimRead.model_validate(claim).model_dump(),
        person_id=claim.person_id,
        document_kind=claim.document_kind,
        document_digits=claim.document_digits,
        check_method=claim.check_method,
        report=view.report,
    )


@router.get("/me/claims", response_model=list[ClaimRead], dependencies=[OWN])
def my_claims(db: DbSession, actor: CurrentActor, response: Response) -> list[ClaimRead]:
    """My identity claims and their status (never the record they name)."""
    _no_store(response)
    return [ClaimRead.model_validate(c) for c in claims.own_claims(db, actor=actor)]


@router.post("/me/claims/{claim_id}/code", status_code=status.HTTP_202_ACCEPTED, dependencies=[OWN])
def send_claim_code(claim_id: uuid.UUID, db: DbSession, actor: CurrentActor) -> Response:
    """Send a code to the contacts the claimed record already trusts (never the claim's)."""
    claims.send_code(db, claim_id=claim_id, actor=actor)
    return Response(status_code=status.HTTP_202_ACCEPTED, headers=NO_STORE)


@router.post("/me/claims/{claim_id}/proof", response_model=ClaimRead, dependencies=[OWN])
def prove_claim(
    claim_id: uuid.UUID, body: ClaimCode, db: DbSession, actor: CurrentActor, response: Response
) -> ClaimRead:
    """Prove my claim with the code sent to the record: my account is linked to it."""
    _no_store(response)
    claim = claims.prove_by_code(db, claim_id=claim_id, code=body.code, actor=actor)
    return ClaimRead.model_validate(claim)


@router.get("/identity-claims", response_model=ClaimPage)
def list_claims(
    db: DbSession,
    actor: Reader,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> ClaimPage:
    """Pending identity claims of my post, oldest first."""
    _no_store(response)
    total, items = claims.pending_claims(db, actor=actor, limit=limit, offset=offset)
    return ClaimPage(total=total, items=[ClaimRead.model_validate(c) for c in items])


@router.get("/identity-claims/{claim_id}", response_model=ClaimOfficerRead)
def read_claim(
    claim_id: uuid.UUID, db: DbSession, actor: Reader, response: Response
) -> ClaimOfficerRead:
    """One claim with its report; the read is audited."""
    _no_store(response)
    return _claim_officer_read(claims.read_claim(db, claim_id=claim_id, actor=actor))


@router.post("/identity-claims/{claim_id}/document-check", response_model=ClaimRead)
def check_claim_document(
    claim_id: uuid.UUID, body: DocumentCheck, db: DbSession, actor: Writer
) -> ClaimRead:
    """I checked the claimant's document in person or by video: the claim is proven."""
    claim = claims.check_document(
        db,
        claim_id=claim_id,
        document_kind=body.document_kind,
        document_digits=body.document_digits,
        method=body.method,
        actor=actor,
    )
    return ClaimRead.model_validate(claim)


@router.post("/identity-claims/{claim_id}/merge", response_model=ClaimRead)
def merge_claim(claim_id: uuid.UUID, body: ClaimMerge, db: DbSession, actor: Writer) -> ClaimRead:
    """Apply the claim's report to the record without linking the claimant's account."""
    claim = claims.merge(db, claim_id=claim_id, confirm_contacts=body.confirm_contacts, actor=actor)
    return ClaimRead.model_validate(claim)


@router.post("/identity-claims/{claim_id}/refusal", response_model=ClaimRead)
def refuse_claim(
    claim_id: uuid.UUID, body: ClaimRefusal, db: DbSession, actor: Writer
) -> ClaimRead:
    """Refuse the claim with a reason the claimant reads; the record is untouched."""
    return ClaimRead.model_validate(
        claims.refuse(db, claim_id=claim_id, reason=body.reason, actor=actor)
    )


@router.post("/me/contacts/code", status_code=status.HTTP_202_ACCEPTED, dependencies=[OWN])
def send_contact_code(body: ContactCodeRequest, db: DbSession, actor: CurrentActor) -> Response:
    """Send a code to one of my unconfirmed phones or emails."""
    contacts.send_code(db, actor=actor, value=body.value)
    return Response(status_code=status.HTTP_202_ACCEPTED, headers=NO_STORE)


@router.post("/me/contacts/confirmation", response_model=ContactRead, dependencies=[OWN])
def confirm_contact(
    body: ContactConfirmation, db: DbSession, actor: CurrentActor, response: Response
) -> ContactRead:
    """The code came back: the contact is trusted and receives my messages."""
    _no_store(response)
    contact = contacts.confirm(db, actor=actor, value=body.value, code=body.code)
    return ContactRead(kind=contact.kind, value=contact.value, is_primary=True, trusted=True)
