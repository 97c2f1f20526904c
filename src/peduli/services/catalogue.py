"""The one catalogue: loading the shipped data, reading the current versions, HQ publishing
a new version of a service, and a post's local notes (all audited).

Every post reads the same current version of each service; an application records the
version it was made under, so a later change never rewrites what an applicant was shown.
"""

from __future__ import annotations

import json
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from peduli.auth import audit, policy
from peduli.auth.actor import Actor
from peduli.core.db import utcnow
from peduli.core.errors import FieldProblem, NotFound, ValidationFailed
from peduli.core.i18n import _
from peduli.services import access
from peduli.services.models import ServiceLocalNote, ServiceVersion
from peduli.services.schemas import ServiceDefinition, Texts

MAX_NOTE = 2000


@cache
def _data() -> dict[str, Any]:
    source = resources.files("peduli.services.data").joinpath("catalogue.json")
    data: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    return data


@cache
def vocabulary() -> tuple[dict[str, Texts], dict[str, Texts]]:
    """The documents a requirement may name and who may bring one, each with its texts."""
    data = _data()
    return (
        {code: Texts.model_validate(texts) for code, texts in data["documents"].items()},
        {code: Texts.model_validate(texts) for code, texts in data["who"].items()},
    )


@cache
def shipped() -> tuple[ServiceDefinition, ...]:
    """The catalogue as shipped in ``data/catalogue.json``, each requirement with its texts."""
    data = _data()
    documents, who = data["documents"], data["who"]
    return tuple(
        ServiceDefinition.model_validate(
            {
                **{k: v for k, v in entry.items() if k != "for"},
                "applying_for": entry["for"],
                "requirements": [
                    {
                        "document": doc,
                        "who": bringer,
                        "upload": upload,
                        "label": documents[doc],
                        "who_label": who[bringer],
                    }
                    for doc, bringer, upload in entry["requirements"]
                ],
            }
        )
        for entry in data["services"]
    )


def load_shipped(session: Session) -> int:
    """Add version 1 of every shipped service not in the tables yet; returns how many."""
    known = set(session.scalars(select(ServiceVersion.code).distinct()))
    fresh = [entry for entry in shipped() if entry.code not in known]
    for entry in fresh:
        session.add(
            ServiceVersion(
                code=entry.code,
                version=1,
                definition=entry.model_dump_json(),
                is_current=True,
                change_note="shipped catalogue",
            )
        )
    session.flush()
    return len(fresh)


def _definition(row: ServiceVersion) -> ServiceDefinition:
    return parsed(row.definition)


@lru_cache(maxsize=512)
def parsed(definition: str) -> ServiceDefinition:
    """A published version, parsed once (a version never changes once published)."""
    return ServiceDefinition.model_validate_json(definition)


def current(session: Session) -> list[tuple[int, ServiceDefinition]]:
    """Every service's current version, in the catalogue's order (by group, then code)."""
    rows = session.scalars(select(ServiceVersion).where(ServiceVersion.is_current))
    order = {entry.code: n for n, entry in enumerate(shipped())}
    found = [(row.version, _definition(row)) for row in rows]
    return sorted(found, key=lambda pair: (order.get(pair[1].code, len(order)), pair[1].code))


def names_in(session: Session, language: str) -> dict[str, str]:
    """Each current service's name in the reader's language, by code (lists show names)."""
    return {entry.code: entry.name.get(language) for _version, entry in current(session)}


def current_of(session: Session, code: str) -> tuple[int, ServiceDefinition]:
    """One service's current version; 404 for a code the catalogue lacks."""
    row = session.scalar(
        select(ServiceVersion).where(ServiceVersion.code == code, ServiceVersion.is_current)
    )
    if row is None:
        raise NotFound(_("The catalogue has no such service."))
    return row.version, _definition(row)


def version_of(session: Session, code: str, version: int) -> ServiceDefinition:
    """The version an application was made under."""
    row = session.scalar(
        select(ServiceVersion).where(ServiceVersion.code == code, ServiceVersion.version == version)
    )
    if row is None:
        raise NotFound(_("The catalogue has no such service."))
    return _definition(row)


def publish(
    session: Session, *, definition: dict[str, Any], change_note: str, actor: Actor
) -> ServiceVersion:
    """HQ publishes a new version of one service (a new code adds a service); audited."""
    access.require_catalogue_editor(session, actor, action="service.publish")
    try:
        entry = ServiceDefinition.model_validate(definition)
    except ValidationError as error:
        problems = [
            FieldProblem(
                ".".join(str(p) for p in e["loc"]) or "definition",
                "invalid",
                _("This part of the service is not valid."),
            )
            for e in error.errors()
        ]
        raise ValidationFailed(problems) from error
    latest = session.scalar(
        select(ServiceVersion.version)
        .where(ServiceVersion.code == entry.code)
        .order_by(ServiceVersion.version.desc())
        .limit(1)
    )
    session.execute(
        update(ServiceVersion)
        .where(ServiceVersion.code == entry.code, ServiceVersion.is_current)
        .values(is_current=False)
    )
    row = ServiceVersion(
        code=entry.code,
        version=(latest or 0) + 1,
        definition=entry.model_dump_json(),
        is_current=True,
        published_by_account_id=actor.account_id,
        change_note=change_note[:500],
    )
    session.add(row)
    audit.record(
        session,
        actor=actor,
        action="service.publish",
        entity_type="service",
        entity_id=f"{entry.code}@{row.version}",
        reason=change_note[:500],
    )
    return row


def local_notes(session: Session, representation_code: str) -> dict[str, str]:
    """A post's notes by service code."""
    rows = session.execute(
        select(ServiceLocalNote.service_code, ServiceLocalNote.note).where(
            ServiceLocalNote.representation_code == representation_code
        )
    )
    return {row.service_code: row.note for row in rows}


def set_local_note(
    session: Session, *, representation_code: str, service_code: str, note: str, actor: Actor
) -> None:
    """A post's leader adds (or, with an empty note, removes) its note on a service."""
    access.require_note_editor(session, actor, action="service.local_note")
    if not policy.reaches_post(actor, representation_code):
        raise NotFound(_("There is no such representation for you."))
    current_of(session, service_code)
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise ValidationFailed(
            [FieldProblem("note", "too_long", _("The note is longer than 2000 characters."))]
        )
    row = session.scalar(
        select(ServiceLocalNote).where(
            ServiceLocalNote.representation_code == representation_code,
            ServiceLocalNote.service_code == service_code,
        )
    )
    if not note:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(
            ServiceLocalNote(
                representation_code=representation_code,
                service_code=service_code,
                note=note,
                updated_by_account_id=actor.account_id,
            )
        )
    else:
        row.note, row.updated_at, row.updated_by_account_id = note, utcnow(), actor.account_id
    audit.record(
        session,
        actor=actor,
        action="service.local_note",
        entity_type="service",
        entity_id=f"{representation_code}:{service_code}",
    )
