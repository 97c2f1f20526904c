"""Which people a caller reaches: the post scope of ``auth.policy`` applied to people.

A person belongs to a post in two ways, each for its own reason:
- *served by* a post: any of their stays, past ones included, is in its jurisdiction. A
  post keeps reaching the records it has served (``policy.decide`` and searches use this;
  ``repository.representation_codes`` lists a person's).
- *living in* a post: their active stay is in its jurisdiction. This post works on them
  now (the correction queue), so a move hands open work to the new post.
A row with a post column of its own (a stay, a claim, a pair of duplicates) is in scope
by that column: ``policy.post_scope(actor).within(column)``.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import ColumnElement, SQLColumnExpression, exists

from peduli.registry.models import Stay, StayStatus


def served_by(
    person_id: SQLColumnExpression[uuid.UUID], posts: Collection[str]
) -> ColumnElement[bool]:
    """People with a stay, past or present, in one of ``posts``' jurisdictions."""
    return exists().where(Stay.person_id == person_id, Stay.representation_code.in_(posts))


def living_in(
    person_id: SQLColumnExpression[uuid.UUID], posts: Collection[str]
) -> ColumnElement[bool]:
    """People whose active stay is in one of ``posts``' jurisdictions."""
    return exists().where(
        Stay.person_id == person_id,
        Stay.status == StayStatus.ACTIVE,
        Stay.representation_code.in_(posts),
    )
