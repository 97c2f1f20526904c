"""The person screen by API: read and verify a record, search, and possible duplicates."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy.orm import Session

from peduli import merging as merge_steps
from peduli.api.deps import DbSession
from peduli.auth.actor import Actor
from peduli.registry import identity, merging, search, service, unmerging
from peduli.registry.api.common import (
    IdentityEditor,
    Reader,
    Writer,
    no_store,
    person_read,
)
from peduli.registry.merge_schemas import MergeRead, UnmergeRequest
from peduli.registry.schemas import (
    DuplicatePage,
    DuplicateRead,
    IdentityCorrected,
    IdentityEdit,
    MergeRequest,
    PersonRead,
    PersonSearch,
    PersonSummary,
    SearchHit,
    SearchResult,
)

router = APIRouter(tags=["registry"])


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
    no_store(response)
    return person_read(service.read_person(db, person_id=person_id, actor=actor, reason=reason))


@router.post("/persons/{person_id}/verification", response_model=PersonSummary)
def verify_person(
    person_id: uuid.UUID,
    db: DbSession,
    actor: Writer,
    response: Response,
    verified: Annotated[bool, Query()] = True,
) -> PersonSummary:
    """Mark a record verified against documents (or rejected)."""
    no_store(response)
    person = service.verify_person(db, person_id=person_id, actor=actor, verified=verified)
    return PersonSummary.model_validate(person)


@router.patch("/persons/{person_id}/identity", response_model=IdentityCorrected)
def correct_identity(
    person_id: uuid.UUID,
    body: IdentityEdit,
    db: DbSession,
    actor: IdentityEditor,
    response: Response,
) -> IdentityCorrected:
    """Correct a person's name, date or place of birth, sex or NIK (the fields given).

    Checked as a self-report is (a NIK of 16 digits agreeing with the birth date and sex);
    a NIK already on another record is refused (422, `nik_on_another_record`) and the pair
    queued among the possible duplicates, to merge. A new name or birth date is matched
    against the other records again: `possible_duplicates` says how many it now looks like.
    The fields changed (names, never values) are recorded in the audit log."""
    no_store(response)
    correction = identity.edit_identity(db, person_id=person_id, edit=body, actor=actor)
    return IdentityCorrected(
        changed=correction.changed,
        possible_duplicates=correction.possible_duplicates,
        person=PersonSummary.model_validate(correction.person),
    )


@router.post("/persons/search", response_model=SearchResult)
def search_people(
    query: PersonSearch, db: DbSession, actor: Reader, response: Response
) -> SearchResult:
    """Find people by name, NIK, passport or phone; identifiers go in the body, not the URL."""
    no_store(response)
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
    no_store(response)
    total, items = merging.list_open(db, actor=actor, limit=limit, offset=offset)
    return DuplicatePage(total=total, items=[DuplicateRead.model_validate(i) for i in items])


@router.post("/duplicates/{candidate_id}/merge", response_model=PersonSummary)
def merge_duplicate(
    candidate_id: uuid.UUID, body: MergeRequest, db: DbSession, actor: Writer
) -> PersonSummary:
    """Merge the pair into the record to keep; every stay and the history are kept."""
    person = merging.merge(
        db,
        candidate_id=candidate_id,
        keep_person_id=body.keep_person_id,
        actor=actor,
        steps=merge_steps.STEPS,
    )
    return PersonSummary.model_validate(person)


@router.post("/duplicates/{candidate_id}/unmerge", response_model=MergeRead)
def unmerge_duplicate(
    candidate_id: uuid.UUID, body: UnmergeRequest, db: DbSession, actor: Writer, response: Response
) -> MergeRead:
    """Undo the merge of this pair (supervisors and HQ, with a reason, audited on both records).

    Both records come back with their history: the rows the merge moved go back, the fields it
    filled are cleared, the absorbed record is active again. Rows added to the kept record after
    the merge stay on it. The pair is dismissed, or open again with `reopen`."""
    no_store(response)
    merge_id = unmerging.merge_of_pair(db, candidate_id=candidate_id)
    return _unmerge(db, merge_id, body, actor)


@router.post("/merges/{merge_id}/unmerge", response_model=MergeRead)
def unmerge(
    merge_id: uuid.UUID, body: UnmergeRequest, db: DbSession, actor: Writer, response: Response
) -> MergeRead:
    """Undo a merge by its id (as `GET /persons/{id}/merges` lists them); as above."""
    no_store(response)
    return _unmerge(db, merge_id, body, actor)


def _unmerge(db: Session, merge_id: uuid.UUID, body: UnmergeRequest, actor: Actor) -> MergeRead:
    undone = unmerging.unmerge(
        db,
        merge_id=merge_id,
        reason=body.reason,
        reopen=body.reopen,
        actor=actor,
        steps=merge_steps.STEPS,
    )
    return MergeRead.of(undone)


@router.get("/persons/{person_id}/merges", response_model=list[MergeRead])
def person_merges(
    person_id: uuid.UUID, db: DbSession, actor: Reader, response: Response
) -> list[MergeRead]:
    """The merges this record took part in, kept or absorbed, newest first (audited read)."""
    no_store(response)
    return [
        MergeRead.of(found) for found in unmerging.merges_for(db, person_id=person_id, actor=actor)
    ]


@router.post("/duplicates/{candidate_id}/dismiss", response_model=DuplicateRead)
def dismiss_duplicate(candidate_id: uuid.UUID, db: DbSession, actor: Writer) -> DuplicateRead:
    """Two different people: close the pair."""
    return DuplicateRead.model_validate(merging.dismiss(db, candidate_id=candidate_id, actor=actor))
