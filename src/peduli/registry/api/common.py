"""What the registry's API routes share: their scopes, no-store answers, a person's shape."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Response

from peduli.api.deps import require_scope
from peduli.auth.actor import Actor
from peduli.auth.scopes import REGISTRY_IDENTITY
from peduli.auth.tokens import REGISTRY_READ, REGISTRY_WRITE
from peduli.reference.representations import Representation
from peduli.registry import service
from peduli.registry.schemas import (
    ContactRead,
    PassportRead,
    PersonRead,
    PersonSummary,
    RepresentationRef,
    StayRead,
)

Reader = Annotated[Actor, Depends(require_scope(REGISTRY_READ))]
Writer = Annotated[Actor, Depends(require_scope(REGISTRY_WRITE))]
IdentityEditor = Annotated[Actor, Depends(require_scope(REGISTRY_IDENTITY))]
NO_STORE = {"Cache-Control": "no-store"}


def no_store(response: Response) -> None:
    """Answers with personal data are never cached."""
    response.headers.update(NO_STORE)


def person_read(view: service.PersonView) -> PersonRead:
    """A person's record as the API shows it: identity, documents in clear, contacts, stays."""
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


def representation_ref(representation: Representation | None) -> RepresentationRef | None:
    """The post that serves a stay: its code, name and hotline."""
    if representation is None:
        return None
    return RepresentationRef(
        code=representation.code, name=representation.name, hotline=representation.hotline
    )
