"""A citizen's erasure (UU PDP) in the elections: the problems found on their entries, their
entries on every list and their elector facts are deleted (a list's counts change with
them)."""

from __future__ import annotations

from peduli.elections.models import ElectorFact, ListProblem, VoterEntry
from peduli.registry.rights import deleting_rows

ERASURE_STEP = deleting_rows("elections", ListProblem, VoterEntry, ElectorFact)
