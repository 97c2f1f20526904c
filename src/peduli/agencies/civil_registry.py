"""The civil registry (Dukcapil) adapter: NIK verification that answers match flags, never
data; the family card (KK) look-up for the purposes that allow it; and the marital status, a
value, for the voter list only (the law makes a married citizen under 17 a voter, and the
list carries the status: a match flag would tell the committee nothing it had not recorded).

Both go through ``gateway.call`` (envelope, retries, breaker, message log); an answer of the
wrong shape is a malformed answer (``AgencyRefused``), never a half-read result.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from peduli.agencies import gateway
from peduli.agencies.envelope import Purpose, PurposeRequired
from peduli.agencies.gateway import AgencyRefused
from peduli.core.i18n import _

AGENCY = "civil_registry"
FAMILY_CARD_PURPOSES = frozenset(
    {Purpose.PROTECTION_CASE, Purpose.CRISIS_RESPONSE, Purpose.CONSULAR_SERVICE}
)
# The civil registry's marital statuses (status perkawinan); every one but the first is
# "married or previously married" in the election law's words.
MARITAL_STATUSES = ("belum_kawin", "kawin", "cerai_hidup", "cerai_mati")
FIELDS = ("full_name", "date_of_birth", "place_of_birth", "sex", "mother_name")
CACHE_FOR = timedelta(hours=1)


@dataclass(frozen=True)
class FieldFlag:
    """Whether one field matched; names come with a similarity score and its threshold."""

    match: bool
    score: float | None = None
    threshold: float | None = None


@dataclass(frozen=True)
class NikCheck:
    """The civil registry's answer: does the NIK exist, is it active, which fields match."""

    found: bool
    active: bool | None
    flags: Mapping[str, FieldFlag]

    @property
    def mismatched(self) -> list[str]:
        """The fields asked about that did not match (a deceased holder adds ``active``)."""
        fields = [name for name in FIELDS if name in self.flags and not self.flags[name].match]
        return fields + (["active"] if self.found and self.active is False else [])

    @property
    def verified(self) -> bool:
        return self.found and self.active is True and not self.mismatched


@dataclass(frozen=True)
class FamilyMember:
    nik: str | None
    full_name: str
    relation: str


@dataclass(frozen=True)
class FamilyCard:
    number: str
    members: tuple[FamilyMember, ...]


def _malformed(reason: str) -> AgencyRefused:
    return AgencyRefused(AGENCY, status=200, reason=reason, malformed=True)


def read_check(answer: Mapping[str, Any]) -> NikCheck:
    """Read a verification answer strictly; anything else is a malformed answer."""
    found, active, fields = answer.get("nik_found"), answer.get("active"), answer.get("fields")
    if not isinstance(found, bool) or not (active is None or isinstance(active, bool)):
        raise _malformed("nik_found/active are not booleans")
    if not isinstance(fields, dict):
        raise _malformed("fields is not an object")
    flags: dict[str, FieldFlag] = {}
    for name, flag in fields.items():
        if name not in FIELDS or not isinstance(flag, dict):
            raise _malformed(f"unexpected field {name!r}")
        match, score, threshold = flag.get("match"), flag.get("score"), flag.get("threshold")
        if not isinstance(match, bool) or not all(
            v is None or (isinstance(v, int | float) and not isinstance(v, bool))
            for v in (score, threshold)
        ):
            raise _malformed(f"flag of {name!r} is not a match flag")
        flags[name] = FieldFlag(
            match,
            None if score is None else float(score),
            None if threshold is None else float(threshold),
        )
    return NikCheck(found, active, flags)


def verify_nik(
    session: Session,
    *,
    nik: str,
    full_name: str | None = None,
    date_of_birth: date | None = None,
    place_of_birth: str | None = None,
    sex: str | None = None,
    mother_name: str | None = None,
    purpose: Purpose,
    cause: str,
    actor: str,
    person_id: uuid.UUID | None = None,
) -> NikCheck:
    """Ask whether ``nik`` exists and is active and whether the given fields match it."""
    given = {
        "full_name": full_name,
        "date_of_birth": date_of_birth.isoformat() if date_of_birth else None,
        "place_of_birth": place_of_birth,
        "sex": sex,
        "mother_name": mother_name,
    }
    request = {"nik": nik} | {k: v for k, v in given.items() if v}
    answer = gateway.call(
        session,
        agency=AGENCY,
        operation="nik/verify",
        request=request,
        purpose=purpose,
        cause=cause,
        actor=actor,
        person_id=person_id,
        cache_for=CACHE_FOR,
    )
    return read_check(answer)


@dataclass(frozen=True)
class Asked:
    """Who asks about a NIK, why, and on behalf of whom (the envelope's part of a look-up)."""

    nik: str
    purpose: Purpose
    cause: str
    actor: str
    person_id: uuid.UUID | None = None


def _look_up(
    session: Session, operation: str, asked: Asked, *, cache_for: timedelta | None = None
) -> Mapping[str, Any]:
    """One look-up by NIK through the gateway, for a purpose already found allowed."""
    return gateway.call(
        session,
        agency=AGENCY,
        operation=operation,
        request={"nik": asked.nik},
        purpose=asked.purpose,
        cause=asked.cause,
        actor=asked.actor,
        person_id=asked.person_id,
        cache_for=cache_for,
    )


def family_card(session: Session, asked: Asked) -> FamilyCard:
    """The household on the NIK holder's family card; refused for other purposes."""
    if asked.purpose not in FAMILY_CARD_PURPOSES:
        raise PurposeRequired(
            _("A family card is looked up only for a protection case, a crisis or a service.")
        )
    answer = _look_up(session, "family-card/lookup", asked)
    number, members = answer.get("family_card"), answer.get("members")
    if not isinstance(number, str) or not isinstance(members, list):
        raise _malformed("not a family card")
    try:
        people = tuple(
            FamilyMember(m.get("nik"), str(m["full_name"]), str(m["relation"])) for m in members
        )
    except (AttributeError, KeyError, TypeError) as exc:
        raise _malformed("a member is not readable") from exc
    return FamilyCard(number, people)


def ever_married(session: Session, asked: Asked) -> bool | None:
    """Whether the NIK's holder is or was ever married (None: no such NIK); asked only for
    the overseas voter list."""
    if asked.purpose != Purpose.ELECTIONS:
        raise PurposeRequired(_("A marital status is looked up only for the voter list."))
    answer = _look_up(session, "elector/marital-status", asked, cache_for=CACHE_FOR)
    found, status = answer.get("nik_found"), answer.get("marital_status")
    if found is False:
        return None
    if found is not True or status not in MARITAL_STATUSES:
        raise _malformed("not a marital status")
    return status != MARITAL_STATUSES[0]
