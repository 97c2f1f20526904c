"""What each route declares its caller needs: one dependency, read back from the route.

The markers live apart from ``api.deps`` (which resolves callers through ``auth``) so that
the reference data's routes, below ``auth`` in the layers, can declare themselves public.
``api.deps`` adds ``require_scope``, ``credentials_for`` and ``staff_page``.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeVar

from fastapi import Depends, Header
from fastapi.dependencies.models import Dependant

from peduli.core.config import get_settings
from peduli.core.errors import NotAuthenticated
from peduli.core.i18n import _


@dataclass(frozen=True)
class RouteAccess:
    """What a route declares its caller needs (one per route; see the module's docstring)."""

    kind: Literal["scope", "public", "own", "roles"]
    scopes: frozenset[str] = frozenset()  # kind "scope": the token needs one of these
    roles: frozenset[str] = frozenset()  # kind "roles": a staff page for these roles


_ACCESS_ATTRIBUTE = "peduli_route_access"
D = TypeVar("D", bound=Callable[..., Any])


def declaring(access: RouteAccess, dependency: D) -> D:
    """Mark ``dependency`` as the declaration ``access`` of the routes that use it."""
    setattr(dependency, _ACCESS_ATTRIBUTE, access)
    return dependency


def declared_access(dependant: Dependant) -> set[RouteAccess]:
    """Every access declaration among a route's dependencies (a sound route has one)."""
    found = set()
    declared = getattr(dependant.call, _ACCESS_ATTRIBUTE, None)
    if isinstance(declared, RouteAccess):
        found.add(declared)
    for sub in dependant.dependencies:
        found |= declared_access(sub)
    return found


def required_scopes(dependant: Dependant | None) -> frozenset[str]:
    """The token scopes a route declared (empty for public, own-data and page routes)."""
    if dependant is None:
        return frozenset()
    return frozenset().union(*(a.scopes for a in declared_access(dependant)))


async def _public() -> None:
    """Declares a route open to anyone: no sign-in, no token scope."""


async def _own() -> None:
    """Declares a route of any signed-in caller, answered only about their own account."""


PUBLIC = Depends(declaring(RouteAccess("public"), _public))
OWN = Depends(declaring(RouteAccess("own"), _own))


def _sms_gateway(
    gateway_token: Annotated[str | None, Header(alias="X-Gateway-Token")] = None,
) -> None:
    """The SMS gateway's own proof on its webhooks (texts in, delivery reports)."""
    expected = get_settings().sms_gateway_token
    if not gateway_token or not hmac.compare_digest(gateway_token, expected):
        raise NotAuthenticated(_("Send the gateway's token in the X-Gateway-Token header."))


# Public routes only the SMS gateway may call: ``dependencies=[PUBLIC, SMS_GATEWAY]``.
SMS_GATEWAY = Depends(_sms_gateway)
