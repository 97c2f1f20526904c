"""The elections' JSON API: election days (HQ), committees and polling places, generating
the lists, a post's voters with their checks, changes and export, elector facts, and the
citizen's own registration."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response, status

from peduli.api.deps import OWN, CurrentActor, DbSession, require_scope
from peduli.auth.actor import Actor
from peduli.auth.scopes import ELECTIONS_READ, ELECTIONS_WRITE
from peduli.core.downloads import download_headers
from peduli.elections import access, checks, generation, repository, roll, service
from peduli.elections.schemas import (
    ChangeRead,
    CommitteeCreate,
    CommitteeRead,
    ElectionCreate,
    ElectionRead,
    ElectorFactsUpdate,
    GeneratedRead,
    ListSummary,
    MethodUpdate,
    PlaceCreate,
    PlaceRead,
    ProblemRead,
    Resolution,
    VoterPage,
    VoterRead,
    VoterRegistration,
)
from peduli.elections.views import list_summary, registration_read

router = APIRouter(tags=["elections"])
Reader = Annotated[Actor, Depends(require_scope(ELECTIONS_READ))]
Writer = Annotated[Actor, Depends(require_scope(ELECTIONS_WRITE))]
Post = Annotated[str | None, Query(max_length=40, description="a post's code (HQ)")]
ELECTION = "/elections/{election_id}"


@router.post("/elections", status_code=status.HTTP_201_CREATED, response_model=ElectionRead)
def create_election(data: ElectionCreate, db: DbSession, actor: Writer) -> ElectionRead:
    """Declare an election day abroad (HQ)."""
    return ElectionRead.model_validate(service.create_election(db, data=data, actor=actor))


@router.get("/elections", response_model=list[ElectionRead])
def list_elections(db: DbSession, actor: Reader) -> list[ElectionRead]:
    """Every election, the latest first."""
    access.require_keeper(db, actor, action="elections.list")
    return [ElectionRead.model_validate(e) for e in repository.elections(db)]


@router.put(ELECTION + "/committee", response_model=CommitteeRead)
def set_committee(
    election_id: uuid.UUID, data: CommitteeCreate, db: DbSession, actor: Writer
) -> CommitteeRead:
    """Name the post's overseas election committee (PPLN)."""
    committee = service.set_committee(db, election_id=election_id, data=data, actor=actor)
    return CommitteeRead.model_validate(committee)


@router.post(ELECTION + "/places", status_code=status.HTTP_201_CREATED, response_model=PlaceRead)
def add_place(election_id: uuid.UUID, data: PlaceCreate, db: DbSession, actor: Writer) -> PlaceRead:
    """Add a polling station (TPSLN) or mobile ballot box (KSK) to a post."""
    place = service.add_place(db, election_id=election_id, data=data, actor=actor)
    return PlaceRead.model_validate(place)


@router.post(ELECTION + "/lists", status_code=status.HTTP_201_CREATED, response_model=GeneratedRead)
def generate(election_id: uuid.UUID, db: DbSession, actor: Writer) -> GeneratedRead:
    """Generate a new round of every post's list from the registry (HQ)."""
    made = generation.generate(db, election_id=election_id, actor=actor)
    return GeneratedRead(round=made.round, lists=made.lists, voters=made.voters)


@router.get(ELECTION + "/lists", response_model=list[ListSummary])
def list_summaries(election_id: uuid.UUID, db: DbSession, actor: Reader) -> list[ListSummary]:
    """The latest round's lists of your post (HQ: every post) with their counts."""
    access.require_keeper(db, actor, action="elections.lists")
    access.election(db, election_id)
    lists = repository.lists_of_round(db, election_id=election_id, where=access.kept_here(actor))
    return [list_summary(v, repository.summary(db, v)) for v in lists]


@router.get(ELECTION + "/voters", response_model=VoterPage)
def voters(
    election_id: uuid.UUID,
    db: DbSession,
    actor: Reader,
    representation: Post = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> VoterPage:
    """The post's current list, every entry opened (audited); struck ones say why."""
    _list, total, items = roll.page(db, actor, election_id=election_id, post=representation,
                                    limit=limit, offset=offset)  # fmt: skip
    return VoterPage(total=total, items=items)


@router.get(
    ELECTION + "/voters/export",
    response_class=Response,
    responses={
        200: {
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                roll.XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
            }
        }
    },
)
def export_voters(
    election_id: uuid.UUID,
    db: DbSession,
    actor: Reader,
    representation: Post = None,
    file_format: Annotated[Literal["csv", "xlsx"], Query(alias="format")] = "csv",
) -> Response:
    """The post's voter list (DPTLN) in the commission's columns; the SHA-256 of the file in
    ``X-Checksum-SHA256`` and its ES256 signature in ``X-Signature`` (key ``X-Signature-Key``,
    in the documents' trust list)."""
    made = roll.export(db, actor, election_id=election_id, post=representation,
                       file_format=file_format)  # fmt: skip
    headers = download_headers(made.filename)
    headers.update({"X-Checksum-SHA256": made.sha256, "X-Signature": made.signature,
                    "X-Signature-Key": made.key_id})  # fmt: skip
    return Response(made.content, media_type=made.media_type, headers=headers)


@router.get(ELECTION + "/problems", response_model=list[ProblemRead])
def problems(
    election_id: uuid.UUID, db: DbSession, actor: Reader, representation: Post = None
) -> list[ProblemRead]:
    """What the checks found on the post's current list, open and blocking first."""
    voter_list = access.list_in_reach(db, actor, election_id=election_id, post=representation,
                                      action="elections.problems")  # fmt: skip
    return [
        ProblemRead(id=p.id, person_id=p.person_id, full_name=name, kind=p.kind,
                    blocking=p.blocking, detail=p.detail, status=p.status, resolution=p.resolution)
        for p, name in repository.problems(db, list_id=voter_list.id)
    ]  # fmt: skip


@router.post(ELECTION + "/checks", response_model=ListSummary)
def run_checks(
    election_id: uuid.UUID, db: DbSession, actor: Writer, representation: Post = None
) -> ListSummary:
    """Run the checks on the post's current list (duplicates, verification, civil registry)."""
    voter_list = checks.run_checks(db, election_id=election_id, post=representation, actor=actor)
    return list_summary(voter_list, repository.summary(db, voter_list))


@router.post(ELECTION + "/problems/{problem_id}/resolution", response_model=ProblemRead)
def resolve(
    election_id: uuid.UUID, problem_id: int, data: Resolution, db: DbSession, actor: Writer
) -> ProblemRead:
    """Resolve a problem: strike the entry, or confirm it with a note."""
    p = checks.resolve(db, election_id=election_id, problem_id=problem_id, strike=data.strike,
                       note=data.note, actor=actor)  # fmt: skip
    name = next((n for q, n in repository.problems(db, list_id=p.list_id) if q.id == p.id), "")
    return ProblemRead(id=p.id, person_id=p.person_id, full_name=name, kind=p.kind,
                       blocking=p.blocking, detail=p.detail, status=p.status,
                       resolution=p.resolution)  # fmt: skip


@router.post(ELECTION + "/fix", response_model=ListSummary)
def fix(
    election_id: uuid.UUID, db: DbSession, actor: Writer, representation: Post = None
) -> ListSummary:
    """Fix the post's list (DPTLN) once no blocking problem is open."""
    voter_list = checks.fix(db, election_id=election_id, post=representation, actor=actor)
    return list_summary(voter_list, repository.summary(db, voter_list))


@router.get(ELECTION + "/changes", response_model=list[ChangeRead])
def changes(
    election_id: uuid.UUID, db: DbSession, actor: Reader, representation: Post = None
) -> list[ChangeRead]:
    """What changed on the post's list since the previous round."""
    voter_list = access.list_in_reach(db, actor, election_id=election_id, post=representation,
                                      action="elections.changes")  # fmt: skip
    found = repository.changes(db, election_id=election_id, post=voter_list.representation_code,
                               round_=voter_list.round)  # fmt: skip
    return [ChangeRead(change=c.change, person_id=c.person_id, full_name=c.full_name,
                       other_post=c.other_post, reason=c.reason) for c in found]  # fmt: skip


@router.put(ELECTION + "/voters/{entry_id}/method", response_model=VoterRead)
def change_method(
    election_id: uuid.UUID, entry_id: int, data: MethodUpdate, db: DbSession, actor: Writer
) -> VoterRead:
    """Set how a voter votes and their polling station or box."""
    entry = service.change_method(db, election_id=election_id, entry_id=entry_id, data=data,
                                  actor=actor)  # fmt: skip
    return roll.voter_read(entry, repository.place(db, entry.polling_place_id))


@router.put("/elector-facts/{person_id}", status_code=status.HTTP_204_NO_CONTENT)
def record_facts(
    person_id: uuid.UUID, data: ElectorFactsUpdate, db: DbSession, actor: Writer
) -> Response:
    """Record a person's marital status, armed forces or police service, and a court's
    removal of their right to vote (their post's staff; audited)."""
    service.record_facts(db, person_id=person_id, data=data, actor=actor)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me/voter-registration", response_model=list[VoterRegistration], dependencies=[OWN])
def my_registration(db: DbSession, actor: CurrentActor) -> list[VoterRegistration]:
    """Whether, where and how you are registered to vote, per election."""
    return [registration_read(r) for r in service.my_registration(db, actor=actor)]
