"""Every domain's part of a citizen's erasure (UU PDP), in the order they run.

The registry pseudonymises the person and deletes what it holds (``registry.rights``);
each domain above it, which the registry may not know, erases its own rows through the
step listed here. Like ``peduli.jobs`` for periodic tasks, this is the one place that
knows them all; the edges (API routes) pass ``STEPS`` to ``rights.delete_own_data``.
"""

from __future__ import annotations

from peduli.agencies import retention as agency_retention
from peduli.agencies import travel as agency_travel
from peduli.cases import erasure as case_erasure
from peduli.conversations import service as conversations_service
from peduli.crisis import checkins as crisis_checkins
from peduli.crisis import unreached as crisis_unreached
from peduli.documents import service as documents_service
from peduli.elections import erasure as election_erasure
from peduli.registry.rights import ErasureStep
from peduli.services import erasure as service_erasure
from peduli.voice import retention as voice_retention

STEPS: tuple[ErasureStep, ...] = (
    case_erasure.STEP,
    crisis_checkins.ERASURE_STEP,
    crisis_unreached.ERASURE_STEP,
    voice_retention.ERASURE_STEP,
    conversations_service.ERASURE_STEP,
    agency_retention.ERASURE_STEP,
    agency_travel.ERASURE_STEP,
    service_erasure.ERASURE_STEP,
    election_erasure.ERASURE_STEP,
    # Documents of an erased record are revoked: online checks say so from then on.
    ErasureStep("documents", documents_service.revoke_all_of),
)
