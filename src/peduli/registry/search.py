"""Officer search by name (tolerant of spelling variants), NIK, passport or phone.

Identifiers arrive in a POST body, never a URL, and are looked up through indexes:
the blind index for NIK and passport, the contact index for phones. Results are limited
to the caller's jurisdiction unless a reason is stated, and every search is audited
(criteria names only, never their values).

Outside one's jurisdiction (a stated reason) a search by name alone needs a word of at least
``MIN_NAME_LETTERS`` letters and returns at most ``OUT_OF_SCOPE_PAGE`` people, each of whom
gets an audit entry of their own: their processing trail shows who looked them up and why.
A name with no letters at all (punctuation only) is refused everywhere: it would match anyone.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth import audit, policy
from peduli.auth.actor import Actor
from peduli.auth.policy import Scope
from peduli.auth.roles import REGISTRY_SEARCHERS
from peduli.core.crypto import get_cipher
from peduli.core.errors import FieldProblem, ValidationFailed
from peduli.core.i18n import _
from peduli.reference.places import representation_by_code
from peduli.reference.profile import get_profile
from peduli.registry import matching, repository
from peduli.registry.models import NIK_PURPOSE, PASSPORT_PURPOSE, Person, PersonStatus
from peduli.registry.schemas import PersonSearch

NAME_CANDIDATES = 500
MIN_NAME_LETTERS = 3  # in the longest word of a name searched outside one's jurisdiction
OUT_OF_SCOPE_PAGE = 20  # people shown at most by one search outside one's jurisdiction


@dataclass(frozen=True)
class Hit:
    person: Person
    score: float
    representation_codes: list[str]


@dataclass(frozen=True)
class SearchOutcome:
    hits: list[Hit]
    out_of_scope: bool


def search_people(session: Session, *, query: PersonSearch, actor: Actor) -> SearchOutcome:
    """Find people; identifiers match exactly, names fuzzily, within the caller's scope."""
    policy.require_role(session, actor, roles=REGISTRY_SEARCHERS, action="person.search")
    criteria = query.model_dump(exclude_none=True, exclude={"reason", "limit"})
    if not criteria:
        raise ValidationFailed(
            [
                FieldProblem(
                    "name",
                    "criterion_required",
                    _("Give at least one of name, nik, passport_number or phone."),
                    _("A NIK, passport or phone finds one person; a name finds similar ones."),
                )
            ]
        )
    name_key = _checked_name_key(query.name)
    scope, out_of_scope = _search_scope(actor, query.reason)
    limit = query.limit
    if out_of_scope:
        _require_narrow_name(query, name_key)
        limit = min(limit, OUT_OF_SCOPE_PAGE)
    hits = _run(session, query, scope, actor=actor, name_key=name_key, limit=limit)
    if out_of_scope:
        for hit in hits:  # each person's own trail shows the search that found them
            audit.record(
                session,
                actor=actor,
                action="person.found_out_of_scope",
                entity_type="person",
                entity_id=str(hit.person.id),
                subject_person_id=hit.person.id,
                fields=sorted(criteria),
                reason=query.reason,
            )
    audit.record(
        session,
        actor=actor,
        action="person.search_out_of_scope" if out_of_scope else "person.search",
        entity_type="search",
        entity_id=f"{len(hits)} found",
        fields=sorted(criteria),
        reason=query.reason,
    )
    return SearchOutcome(hits=hits, out_of_scope=out_of_scope)


def _checked_name_key(name: str | None) -> str | None:
    """The name's search key; a name without any letter (".", "--") is refused."""
    if name is None:
        return None
    key = get_profile().name_key(name)
    if not key:
        raise ValidationFailed(
            [
                FieldProblem(
                    "name",
                    "name_without_letters",
                    _("A name to search for needs letters; this one has only punctuation."),
                    _("Type at least one word of the name, e.g. Siti."),
                )
            ]
        )
    return key


def _require_narrow_name(query: PersonSearch, name_key: str | None) -> None:
    """Outside one's jurisdiction a name alone must name someone, not half the registry."""
    identified = query.nik or query.passport_number or query.phone
    if identified or name_key is None:
        return
    if sum(letter.isalpha() for letter in _longest_token(name_key)) < MIN_NAME_LETTERS:
        raise ValidationFailed(
            [
                FieldProblem(
                    "name",
                    "name_too_short",
                    _(
                        "Outside your jurisdiction a name search needs a word of at least "
                        "{count} letters."
                    ).format(count=MIN_NAME_LETTERS),
                    _("Type more of the name, or search by NIK, passport or phone."),
                )
            ]
        )


def _search_scope(actor: Actor, reason: str | None) -> tuple[Scope, bool]:
    scope = policy.person_scope(actor)
    if scope.everyone or not reason:
        return scope, False
    if not policy.may_state_reason(actor) or len(reason.strip()) < policy.MIN_REASON_LENGTH:
        raise ValidationFailed(
            [
                FieldProblem(
                    "reason",
                    "reason_too_short",
                    _("A reason must say why you need records outside your jurisdiction."),
                    _("Write at least {min} characters, e.g. the case or call it is for.").format(
                        min=policy.MIN_REASON_LENGTH
                    ),
                )
            ]
        )
    return Scope(everyone=True), True


def _run(
    session: Session,
    query: PersonSearch,
    scope: Scope,
    *,
    actor: Actor,
    name_key: str | None,
    limit: int,
) -> list[Hit]:
    ids = _identifier_matches(session, query, phone_region=post_phone_region(actor))
    base = select(Person).where(Person.status == PersonStatus.ACTIVE)
    if ids is not None:
        base = base.where(Person.id.in_(ids))
    if query.date_of_birth:
        base = base.where(Person.date_of_birth == query.date_of_birth)
    if name_key:
        base = base.where(Person.name_key.like(f"%{_longest_token(name_key)}%"))
    candidates = NAME_CANDIDATES if name_key else limit
    people = list(session.scalars(repository.scoped(base, scope).limit(candidates)))
    scored = [
        (p, matching.name_similarity(name_key, p.name_key) if name_key else 100.0) for p in people
    ]
    scored.sort(key=lambda item: item[1], reverse=True)
    top = scored[:limit]
    codes = repository.representation_codes_of(session, [p.id for p, _ in top])
    return [Hit(person=p, score=score, representation_codes=codes[p.id]) for p, score in top]


def _longest_token(name_key: str) -> str:
    return max(name_key.split(), key=len)


def post_phone_region(actor: Actor) -> str | None:
    """The country of the caller's post: an officer types the numbers of the people they
    serve as they are written there (``010-2345-6789`` in Seoul). HQ has no post: None."""
    post = representation_by_code(actor.representation_code)
    return post.country if post else None


def _identifier_matches(
    session: Session, query: PersonSearch, *, phone_region: str | None
) -> set[uuid.UUID] | None:
    """People matching every identifier given, or None when no identifier was given; a
    phone without its country code is read as local to ``phone_region``, then as one of
    the home country."""
    profile = get_profile()
    cipher = get_cipher()
    found: list[set[uuid.UUID]] = []
    if query.nik:
        index = cipher.blind_index(profile.normalize_national_id(query.nik), purpose=NIK_PURPOSE)
        person = repository.person_by_nik_index(session, index)
        found.append({person.id} if person else set())
    if query.passport_number:
        normalized = profile.normalize_passport(query.passport_number)
        person = repository.person_by_passport_index(
            session, cipher.blind_index(normalized, purpose=PASSPORT_PURPOSE)
        )
        found.append({person.id} if person else set())
    if query.phone:
        phone, problems = profile.normalize_phone(
            query.phone, default_region=phone_region, field="phone"
        )
        if problems:
            raise ValidationFailed(problems)
        found.append(set(repository.person_ids_by_phone(session, phone or "", limit=50)))
    if not found:
        return None
    return set.intersection(*found)


def person_in_scope(session: Session, *, person_id: uuid.UUID, actor: Actor) -> Person | None:
    """One active person by id if ``actor`` reaches them without a reason (a form that names
    them, e.g. a new case opened from their screen); the read is audited."""
    policy.require_role(session, actor, roles=REGISTRY_SEARCHERS, action="person.search")
    base = select(Person).where(Person.id == person_id, Person.status == PersonStatus.ACTIVE)
    person = session.scalar(repository.scoped(base, policy.person_scope(actor)))
    if person is not None:
        audit.record(
            session,
            actor=actor,
            action="person.read",
            entity_type="person",
            entity_id=str(person.id),
            subject_person_id=person.id,
            fields=["full_name", "date_of_birth"],
        )
    return person
