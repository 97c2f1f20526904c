"""What a merge moves from the absorbed record to the survivor, and how an unmerge moves it back.

Every table whose rows point at a person has a ``MergeStep``. The registry's own simple ones
are ``REGISTRY_STEPS`` (contacts, whose duplicates are dropped, are the merge's own work);
each domain above the registry (cases, crises, the voice line, conversations) writes its
own rows through the step it contributes, and ``peduli.merging.STEPS`` lists them all, as
``peduli.erasure`` does for an erasure. The edges hand those steps to merge and unmerge.

A step moves rows with one ``UPDATE … RETURNING`` and answers the ids it moved; the merge
record keeps them, and the unmerge moves exactly those rows back, if they still point at the
survivor: a row added to the survivor after the merge is not among them and stays there.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, select, update
from sqlalchemy.orm import Session

from peduli.auth import citizens as citizen_accounts
from peduli.registry.models import DataRequest, IdentityClaim, Passport, Person, Stay


@dataclass(frozen=True)
class MergeStep:
    """One kind of row that follows a person through a merge, and back through an unmerge.

    ``move(session, from_id, to_id)`` moves every such row of ``from_id`` to ``to_id`` and
    answers their ids as text; ``move_back(session, ids, from_id, to_id)`` moves those of
    ``ids`` still on ``from_id`` to ``to_id`` and answers how many it moved.
    """

    name: str
    move: Callable[[Session, uuid.UUID, uuid.UUID], list[str]]
    move_back: Callable[[Session, Sequence[str], uuid.UUID, uuid.UUID], int]


def reassign(
    session: Session,
    model: Any,
    *,
    from_id: uuid.UUID,
    to_id: uuid.UUID,
    ids: Sequence[str] | None = None,
    where: ColumnElement[bool] | None = None,
    values: dict[str, Any] | None = None,
) -> list[str]:
    """Point ``model``'s rows of ``from_id`` (only ``ids``, if given) at ``to_id``, setting
    ``values`` as well: one UPDATE whatever their number; the ids it moved, as text."""
    condition = model.person_id == from_id
    if ids is not None:
        if not ids:
            return []
        id_type = model.id.type.python_type
        condition = and_(condition, model.id.in_([id_type(text) for text in ids]))
    if where is not None:
        condition = and_(condition, where)
    moved = session.execute(
        update(model).where(condition).values(person_id=to_id, **(values or {})).returning(model.id)
    )
    return [str(row_id) for row_id in moved.scalars()]


def rows_of(
    name: str,
    model: Any,
    *,
    unless: Callable[[uuid.UUID], ColumnElement[bool]] | None = None,
    copied: Callable[[uuid.UUID], dict[str, Any]] | None = None,
) -> MergeStep:
    """The step for a table whose rows simply follow the person; ``unless(to_id)``: the rows
    that must stay (e.g. ``to_id`` has one like it already and a unique key forbids two);
    ``copied(to_id)``: columns that take the value ``to_id``'s person has."""

    def _where(to_id: uuid.UUID) -> ColumnElement[bool] | None:
        return ~unless(to_id) if unless is not None else None

    def _values(to_id: uuid.UUID) -> dict[str, Any] | None:
        return copied(to_id) if copied is not None else None

    def move(session: Session, from_id: uuid.UUID, to_id: uuid.UUID) -> list[str]:
        return reassign(
            session, model, from_id=from_id, to_id=to_id, where=_where(to_id), values=_values(to_id)
        )

    def move_back(
        session: Session, ids: Sequence[str], from_id: uuid.UUID, to_id: uuid.UUID
    ) -> int:
        moved = reassign(
            session,
            model,
            from_id=from_id,
            to_id=to_id,
            ids=ids,
            where=_where(to_id),
            values=_values(to_id),
        )
        return len(moved)

    return MergeStep(name, move, move_back)


def _person_language(person_id: uuid.UUID) -> dict[str, Any]:
    """A stay carries its person's language (``Stay.language``)."""
    language = select(Person.preferred_language).where(Person.id == person_id)
    return {"language": language.scalar_subquery()}


def _move_accounts(session: Session, from_id: uuid.UUID, to_id: uuid.UUID) -> list[str]:
    moved = citizen_accounts.relink_citizen_accounts(
        session, from_person_id=from_id, to_person_id=to_id
    )
    return [str(account_id) for account_id in moved]


def _move_accounts_back(
    session: Session, ids: Sequence[str], from_id: uuid.UUID, to_id: uuid.UUID
) -> int:
    moved = citizen_accounts.relink_citizen_accounts(
        session,
        from_person_id=from_id,
        to_person_id=to_id,
        account_ids=[uuid.UUID(text) for text in ids],
    )
    return len(moved)


REGISTRY_STEPS: tuple[MergeStep, ...] = (
    rows_of("stays", Stay, copied=_person_language),
    rows_of("passports", Passport),
    rows_of("data_requests", DataRequest),
    rows_of("identity_claims", IdentityClaim),
    MergeStep("citizen_accounts", _move_accounts, _move_accounts_back),
)
