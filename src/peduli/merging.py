"""Every domain's rows that follow a person through a merge of two records, and back.

The registry merges and unmerges (``registry.merging``, ``registry.unmerging``) and moves its
own rows (``registry.merge_moves.REGISTRY_STEPS``); each domain above it, which the registry
may not know, moves its own rows through the step listed here. Like ``peduli.erasure``, this
is the one place that knows them all; the edges (API routes, pages) pass ``STEPS`` on.
"""

from __future__ import annotations

from peduli.cases import merges as case_merges
from peduli.conversations import merges as conversation_merges
from peduli.crisis import merges as crisis_merges
from peduli.documents import service as documents_service
from peduli.elections import merges as election_merges
from peduli.registry.merge_moves import MergeStep
from peduli.services import merges as service_merges
from peduli.voice import merges as voice_merges

# Documents issued to either record follow the person (documents sits below the registry and
# knows no MergeStep: its step is built here).
DOCUMENTS_STEP = MergeStep(
    "documents",
    lambda session, from_id, to_id: documents_service.move_holder(session, from_id, to_id),
    lambda session, ids, from_id, to_id: len(
        documents_service.move_holder(session, from_id, to_id, ids=ids)
    ),
)

STEPS: tuple[MergeStep, ...] = (
    case_merges.MERGE_STEP,
    *crisis_merges.MERGE_STEPS,
    voice_merges.MERGE_STEP,
    conversation_merges.MERGE_STEP,
    DOCUMENTS_STEP,
    service_merges.MERGE_STEP,
    service_merges.APPOINTMENT_MERGE_STEP,
    election_merges.MERGE_STEP,
)
