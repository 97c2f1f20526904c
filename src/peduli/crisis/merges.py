"""A merge of two person records as the crises see it: broadcasts received, check-ins and
officers' attempts to reach the absorbed record follow it to the survivor.

A broadcast that reached both records keeps its recipient row on each (one per broadcast
and person): the survivor's own answer is the one that counts. The registry records what
moved and moves it back on an unmerge (``registry.merge_moves``).
"""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, exists
from sqlalchemy.orm import aliased

from peduli.crisis.models import CheckIn, ReachAttempt, Recipient
from peduli.registry.merge_moves import rows_of


def _reached_too(to_id: uuid.UUID) -> ColumnElement[bool]:
    """The broadcast reached ``to_id`` as well: its recipient row stays where it is."""
    other = aliased(Recipient)
    return exists().where(other.person_id == to_id, other.broadcast_id == Recipient.broadcast_id)


MERGE_STEPS = (
    rows_of("crisis_recipients", Recipient, unless=_reached_too),
    rows_of("crisis_checkins", CheckIn),
    rows_of("crisis_reach_attempts", ReachAttempt),
)
