"""Local stand-ins for the outside agencies, each really listening on HTTP with its own
synthetic data (``population``) and fault modes switchable at run time (``faults``).

Started by ``peduli sandbox``, ``peduli demo`` and the tests through ``start_agency_sandboxes``;
each agency's sandbox is one module here, listed in ``SANDBOXES`` with its default port
(civil registry 8030, immigration 8031, BP2MI 8032, partner state 8033, webhook receiver 8034).
``switch_fault`` switches a fault of a running sandbox over HTTP (``peduli agencies fault``).
The partner state (``partner_state``) and the webhook receiver (``webhook_receiver``) speak
signed protocols of their own (Ed25519, HMAC) and are started by ``start_exchange_sandboxes``
(``exchange_sandboxes``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx

from peduli.agencies.sandbox.bp2mi import Bp2miSandbox
from peduli.agencies.sandbox.civil_registry import CivilRegistrySandbox
from peduli.agencies.sandbox.immigration import ImmigrationSandbox
from peduli.agencies.sandbox.population import Resident, demo_residents
from peduli.agencies.sandbox.server import AgencySandbox

SandboxFactory = Callable[..., AgencySandbox]
# agency → (its sandbox, given host, port, token and residents; its default port).
SANDBOXES: dict[str, tuple[SandboxFactory, int]] = {
    "civil_registry": (CivilRegistrySandbox, 8030),
    "immigration": (ImmigrationSandbox, 8031),
    "bp2mi": (Bp2miSandbox, 8032),
}


@dataclass
class AgencySandboxes:
    """The running agency sandboxes; ``stop()`` shuts them down."""

    servers: dict[str, AgencySandbox] = field(default_factory=dict)
    residents: tuple[Resident, ...] = ()

    def __getitem__(self, agency: str) -> AgencySandbox:
        return self.servers[agency]

    def url(self, agency: str) -> str:
        return self.servers[agency].url

    def urls(self) -> dict[str, str]:
        """Each agency's base URL, as ``PEDULI_AGENCY_<NAME>_URL`` takes it."""
        return {agency: server.url for agency, server in self.servers.items()}

    def stop(self) -> None:
        for server in self.servers.values():
            server.stop()


def start_agency_sandboxes(
    *,
    host: str = "127.0.0.1",
    ports: Mapping[str, int] | None = None,
    token: str = "sandbox",  # noqa: S107 - the sandboxes' well-known token
    residents: Iterable[Resident] | None = None,
    today: date | None = None,
    agencies: Iterable[str] | None = None,
) -> AgencySandboxes:
    """Start the agency sandboxes (``ports``: agency → port, 0 a free one; default: each
    one's own port). ``residents`` default to the demo's people (``demo_residents``)."""
    people = tuple(residents) if residents is not None else demo_residents(today=today)
    handles = AgencySandboxes(residents=people)
    try:
        for agency in agencies if agencies is not None else SANDBOXES:
            factory, default_port = SANDBOXES[agency]
            port = (ports or {}).get(agency, default_port)
            server = factory(host=host, port=port, token=token, residents=people)
            handles.servers[agency] = server
    except BaseException:
        handles.stop()
        raise
    for server in handles.servers.values():
        server.start()
    return handles


def switch_fault(
    url: str, *, token: str, mode: str | None, on: bool = True, **settings: Any
) -> list[dict[str, Any]]:
    """Switch a fault of the running sandbox at ``url`` on (or off; ``mode`` None: all off);
    answers the faults now on."""
    headers = {"Authorization": f"Bearer {token}"}
    base = url.rstrip("/") + "/_sandbox/faults"
    try:
        with httpx.Client(timeout=5.0) as client:
            if on and mode:
                response = client.post(base, json={"mode": mode, **settings}, headers=headers)
            else:
                response = client.delete(f"{base}/{mode or ''}".rstrip("/"), headers=headers)
        response.raise_for_status()
        return list(response.json()["faults"])
    except (httpx.HTTPError, ValueError, KeyError) as exc:
        raise SandboxUnreachable(f"{url}: {exc}") from exc


class SandboxUnreachable(RuntimeError):
    """The sandbox did not take the switch (not running, wrong token, bad setting)."""


__all__ = [
    "SANDBOXES",
    "AgencySandbox",
    "AgencySandboxes",
    "Resident",
    "SandboxUnreachable",
    "start_agency_sandboxes",
    "switch_fault",
]
