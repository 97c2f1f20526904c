"""The link between citizen accounts and registry records, as the registry needs it.

Kept apart from sign-in (``codes``): these are the registry's questions about accounts
(whose record is this, may this account claim it) and its changes (merge, erasure).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from peduli.auth import codes
from peduli.auth.models import CitizenAccount


def person_has_citizen_account(session: Session, *, person_id: uuid.UUID) -> bool:
    """Whether some citizen account already owns this record."""
    return bool(session.scalar(select(exists().where(CitizenAccount.person_id == person_id))))


def citizen_address(session: Session, *, account_id: uuid.UUID) -> str | None:
    """The email or E.164 phone the citizen proved by one-time code, in clear."""
    contact = citizen_contact(session, account_id=account_id)
    return contact.value if contact else None


def citizen_contact(session: Session, *, account_id: uuid.UUID) -> codes.Address | None:
    """The citizen's proven address with its kind (to write to them through the outbox)."""
    account = session.get(CitizenAccount, account_id)
    return codes.address_of(account) if account else None


def linked_person(session: Session, *, account_id: uuid.UUID) -> uuid.UUID | None:
    """The record an account is linked to now (the session's actor may be older)."""
    account = session.get(CitizenAccount, account_id)
    return account.person_id if account else None


def relink_citizen_accounts(
    session: Session,
    *,
    from_person_id: uuid.UUID,
    to_person_id: uuid.UUID,
    account_ids: Collection[uuid.UUID] | None = None,
) -> list[uuid.UUID]:
    """After a merge, accounts of the absorbed record lead to the survivor (after an
    unmerge, ``account_ids`` lead back); the accounts relinked."""
    condition = CitizenAccount.person_id == from_person_id
    if account_ids is not None:
        condition = condition & CitizenAccount.id.in_(list(account_ids))
    moved = session.execute(
        update(CitizenAccount)
        .where(condition)
        .values(person_id=to_person_id)
        .returning(CitizenAccount.id)
    )
    return list(moved.scalars())


def unlink_citizen_person(session: Session, *, person_id: uuid.UUID) -> None:
    """After erasure, the account remains (to sign in again) but owns no record."""
    session.execute(
        update(CitizenAccount).where(CitizenAccount.person_id == person_id).values(person_id=None)
    )
