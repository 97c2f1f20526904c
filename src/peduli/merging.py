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
from peduli.registry.merge_moves import MergeStep
from peduli.voice import merges as voice_merges

STEPS: tuple[MergeStep, ...] = (
    case_merges.MERGE_STEP,
    *crisis_merges.MERGE_STEPS,
    voice_merges.MERGE_STEP,
    conversation_merges.MERGE_STEP,
)
