"""Start the immigration and BP2MI sandboxes together, over one set of records derived from
the demo's generator (``peduli sandbox``, ``peduli demo`` and the tests)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from peduli.agencies.sandbox import travel_population as population
from peduli.agencies.sandbox.bp2mi import Bp2miSandbox
from peduli.agencies.sandbox.immigration import ImmigrationSandbox
from peduli.agencies.sandbox.travel_population import TravelRecords

DEMO_SEED = 2026  # the demo's seed (``cli.demo.DEMO_SEED``): the same people
DEMO_SIZE = 2000


@dataclass
class TravelSandboxes:
    """The two running sandboxes; ``stop()`` shuts both down."""

    immigration: ImmigrationSandbox
    bp2mi: Bp2miSandbox
    records: TravelRecords

    def stop(self) -> None:
        """Stop both and free their ports."""
        self.immigration.stop()
        self.bp2mi.stop()


def start_travel_sandboxes(
    *,
    immigration_port: int = 0,
    bp2mi_port: int = 0,
    host: str = "127.0.0.1",
    token: str = "sandbox",  # noqa: S107 - the sandbox's well-known token
    seed: int = DEMO_SEED,
    size: int = DEMO_SIZE,
    records: TravelRecords | None = None,
) -> TravelSandboxes:
    """Start both on their ports (0: free ones) over ``records`` or the first ``size``
    citizens of the demo generator with ``seed``."""
    if records is None:
        records = population.build(seed=seed, size=size, today=datetime.now(UTC).date())
    immigration = ImmigrationSandbox(records=records, host=host, port=immigration_port,
                                     token=token)  # fmt: skip
    try:
        bp2mi = Bp2miSandbox(records=records, host=host, port=bp2mi_port, token=token)
    except BaseException:
        immigration.stop()
        raise
    immigration.start()
    bp2mi.start()
    return TravelSandboxes(immigration=immigration, bp2mi=bp2mi, records=records)
