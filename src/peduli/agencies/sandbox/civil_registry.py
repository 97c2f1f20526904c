"""A sandbox of the civil registry's (Dukcapil) NIK verification, which answers match
flags, never data: per field given (name with a similarity score against a threshold, birth
date, birth place, sex, mother's name) match or no match, and whether the NIK exists and is
active (not deceased). The family card (KK) look-up answers the household, only to the
purposes allowed to see it; the marital status, a value, only to the purpose ``elections``.

``POST /nik/verify``        {"nik", "full_name"?, "date_of_birth"?, "place_of_birth"?, "sex"?,
                            "mother_name"?}
``POST /family-card/lookup`` {"nik"}
``POST /elector/marital-status`` {"nik"} → {"nik_found", "marital_status"}
``POST /_sandbox/enrol``    a resident: {"nik", "full_name", "date_of_birth", "place_of_birth",
                            "sex", "mother_name", "alive"?, "family_card"?, "marital_status"?}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from http import HTTPStatus
from typing import Any, ClassVar

from peduli.agencies.civil_registry import MARITAL_STATUSES
from peduli.agencies.envelope import Purpose
from peduli.agencies.sandbox.population import Resident
from peduli.agencies.sandbox.server import AgencySandbox, Answer
from peduli.reference.profile import get_profile
from peduli.registry.matching import NAME_SIMILARITY_THRESHOLD, name_similarity

FAMILY_CARD_PURPOSES = frozenset(
    {Purpose.PROTECTION_CASE, Purpose.CRISIS_RESPONSE, Purpose.CONSULAR_SERVICE}
)
VERIFIED_FIELDS = ("full_name", "date_of_birth", "place_of_birth", "sex", "mother_name")


@dataclass(frozen=True)
class CivilRecord:
    """One person in the sandbox civil registry."""

    nik: str
    full_name: str
    date_of_birth: str  # ISO
    place_of_birth: str
    sex: str
    mother_name: str
    alive: bool = True
    family_card: str = ""
    marital_status: str = MARITAL_STATUSES[0]

    @classmethod
    def of(cls, resident: Resident) -> CivilRecord:
        c = resident.citizen
        return cls(
            nik=resident.nik,
            full_name=resident.registered_name,
            date_of_birth=c.date_of_birth.isoformat(),
            place_of_birth=resident.place_of_birth,
            sex=c.sex,
            mother_name=resident.mother_name,
            alive=resident.alive,
            family_card=resident.family_card,
            marital_status=resident.marital_status,
        )


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


class CivilRegistrySandbox(AgencySandbox):
    """The sandbox Dukcapil: NIK verification and family cards over synthetic residents."""

    agency = "civil_registry"
    served: ClassVar[dict[str, str]] = {
        "nik/verify": "verify",
        "family-card/lookup": "family_card",
        "elector/marital-status": "marital_status",
    }
    records: dict[str, CivilRecord]

    def load(self, residents: Iterable[Resident]) -> None:
        self.records = {}
        for resident in residents:
            self.add(CivilRecord.of(resident))

    def add(self, record: CivilRecord) -> None:
        """Add or replace one resident (without a family card: one of their own)."""
        if not record.family_card:
            record = replace(record, family_card=record.nik[:6] + record.nik[12:] + "0" * 6)
        self.records[record.nik] = record

    def enrol(self, record: Mapping[str, Any]) -> Answer:
        try:
            added = CivilRecord(
                nik=str(record["nik"]),
                full_name=str(record["full_name"]),
                date_of_birth=str(record["date_of_birth"]),
                place_of_birth=str(record["place_of_birth"]),
                sex=str(record["sex"]),
                mother_name=str(record.get("mother_name") or ""),
                alive=bool(record.get("alive", True)),
                family_card=str(record.get("family_card") or ""),
                marital_status=str(record.get("marital_status") or MARITAL_STATUSES[0]),
            )
        except KeyError as missing:
            return HTTPStatus.BAD_REQUEST, {"error": f"missing {missing}"}
        if added.marital_status not in MARITAL_STATUSES:
            return HTTPStatus.BAD_REQUEST, {"error": "unknown marital_status"}
        self.add(added)
        return HTTPStatus.CREATED, {"enrolled": added.nik}

    def verify(self, request: Mapping[str, Any], envelope: Mapping[str, str]) -> Answer:
        """Match flags for the fields given; never the registered values."""
        nik = request.get("nik")
        if not isinstance(nik, str) or len(nik) != 16 or not nik.isdigit():
            return HTTPStatus.BAD_REQUEST, {"error": "nik must be 16 digits"}
        record = self.records.get(nik)
        if record is None:
            return HTTPStatus.OK, {"nik_found": False, "active": None, "fields": {}}
        fields: dict[str, dict[str, Any]] = {}
        profile = get_profile()
        given = {k: request[k] for k in VERIFIED_FIELDS if isinstance(request.get(k), str)}
        if "full_name" in given:
            score = name_similarity(
                profile.name_key(given["full_name"]), profile.name_key(record.full_name)
            )
            fields["full_name"] = {
                "match": score >= NAME_SIMILARITY_THRESHOLD,
                "score": round(score, 1),
                "threshold": NAME_SIMILARITY_THRESHOLD,
            }
        if "date_of_birth" in given:
            fields["date_of_birth"] = {"match": given["date_of_birth"] == record.date_of_birth}
        if "place_of_birth" in given:
            fields["place_of_birth"] = {
                "match": _same_text(given["place_of_birth"], record.place_of_birth)
            }
        if "sex" in given:
            fields["sex"] = {"match": given["sex"].upper() == record.sex}
        if "mother_name" in given:
            score = name_similarity(
                profile.name_key(given["mother_name"]), profile.name_key(record.mother_name)
            )
            fields["mother_name"] = {
                "match": score >= NAME_SIMILARITY_THRESHOLD,
                "score": round(score, 1),
                "threshold": NAME_SIMILARITY_THRESHOLD,
            }
        return HTTPStatus.OK, {"nik_found": True, "active": record.alive, "fields": fields}

    def family_card(self, request: Mapping[str, Any], envelope: Mapping[str, str]) -> Answer:
        """The household on the person's family card, for the purposes allowed to see it."""
        if envelope.get("X-Road-Purpose") not in {p.value for p in FAMILY_CARD_PURPOSES}:
            return HTTPStatus.FORBIDDEN, {"error": "purpose does not allow a family card"}
        record = self.records.get(str(request.get("nik")))
        if record is None:
            return HTTPStatus.NOT_FOUND, {"error": "unknown nik"}
        members: list[dict[str, Any]] = [
            {
                "nik": r.nik,
                "full_name": r.full_name,
                "relation": "self" if r.nik == record.nik else "member",
                "alive": r.alive,
            }
            for r in self.records.values()
            if r.family_card == record.family_card
        ]
        members.append({"nik": None, "full_name": record.mother_name, "relation": "mother"})
        return HTTPStatus.OK, {"family_card": record.family_card, "members": members}

    def marital_status(self, request: Mapping[str, Any], envelope: Mapping[str, str]) -> Answer:
        """The holder's marital status, a value: only to the purpose of the voter list."""
        if envelope.get("X-Road-Purpose") != Purpose.ELECTIONS.value:
            return HTTPStatus.FORBIDDEN, {"error": "purpose does not allow a marital status"}
        record = self.records.get(str(request.get("nik")))
        if record is None:
            return HTTPStatus.OK, {"nik_found": False, "marital_status": None}
        return HTTPStatus.OK, {"nik_found": True, "marital_status": record.marital_status}
