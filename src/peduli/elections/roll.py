"""The voter list opened: for the committee's screen and for the export the election
commission takes in (CSV or XLSX with the fixed columns of ``docs/elections.md``), with a
SHA-256 checksum and a detached ES256 signature by the documents' active signing key.

This is the only place that decrypts the copied identifiers; every opening is audited.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from openpyxl import Workbook
from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth.actor import Actor
from peduli.core.crypto import CONTACT_PURPOSE, get_cipher
from peduli.documents import keys
from peduli.elections import access, repository
from peduli.elections.models import PollingPlace, VoterEntry, VoterList
from peduli.elections.schemas import VoterRead
from peduli.registry.models import ADDRESS_PURPOSE, NIK_PURPOSE, PASSPORT_PURPOSE

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The commission's columns, in this order, named as it names them (docs/elections.md).
COLUMNS = (
    "NO", "NIK", "NO_PASPOR", "NAMA", "JENIS_KELAMIN", "TEMPAT_LAHIR", "TANGGAL_LAHIR",
    "STATUS_KAWIN", "ALAMAT_LN", "KOTA", "NEGARA", "KONTAK", "STATUS_VERIFIKASI",
    "PERWAKILAN", "METODE", "TPS_KSK", "KETERANGAN",
)  # fmt: skip
MARITAL_STATUS = {True: "ever_married", False: "never_married", None: "unknown"}
# The commission's codes: sudah (ever) / belum (never) kawin; unknown stays empty.
MARITAL_CODES = {"ever_married": "S", "never_married": "B"}


def _open(token: str | None, purpose: str) -> str | None:
    return None if token is None else get_cipher().decrypt(token, purpose=purpose)


def voter_read(entry: VoterEntry, place: PollingPlace | None) -> VoterRead:
    """One entry, opened."""
    return VoterRead(
        entry_id=entry.id, representation_code=entry.representation_code,
        nik=_open(entry.nik_encrypted, NIK_PURPOSE),
        passport=_open(entry.passport_encrypted, PASSPORT_PURPOSE),
        full_name=entry.full_name, sex=entry.sex, date_of_birth=entry.date_of_birth,
        place_of_birth=entry.place_of_birth,
        marital_status=MARITAL_STATUS[entry.ever_married],
        country=entry.country, city=entry.city,
        address=_open(entry.address_encrypted, ADDRESS_PURPOSE),
        contact=_open(entry.contact_encrypted, CONTACT_PURPOSE),
        verification=entry.verification, method=entry.method,
        proposed_method=entry.proposed_method,
        polling_place=place.code if place else None, struck_reason=entry.struck_reason,
    )  # fmt: skip


def page(
    session: Session,
    actor: Actor,
    *,
    election_id: uuid.UUID,
    post: str | None,
    limit: int,
    offset: int,
) -> tuple[VoterList, int, list[VoterRead]]:
    """A page of the post's list, opened for the committee's screen (audited)."""
    voter_list = access.list_in_reach(session, actor, election_id=election_id, post=post,
                               action="elections.voters_read")  # fmt: skip
    total, rows = repository.voters(session, list_id=voter_list.id, limit=limit, offset=offset)
    audit.record(
        session, actor=actor, action="elections.voters_read", entity_type="voter_list",
        entity_id=str(voter_list.id), fields=("nik", "passport", "address", "contact"),
        reason=f"{len(rows)} voters from {offset}",
    )  # fmt: skip
    return voter_list, total, [voter_read(e, p) for e, p in rows]


def _values(number: int, voter: VoterRead) -> list[Any]:
    return [
        number, voter.nik or "", voter.passport or "", voter.full_name,
        "L" if voter.sex == "M" else "P",
        voter.place_of_birth or "", voter.date_of_birth.strftime("%d-%m-%Y"),
        MARITAL_CODES.get(voter.marital_status, ""),
        voter.address or "", voter.city, voter.country, voter.contact or "",
        "TERVERIFIKASI" if voter.verification == "verified" else "BELUM",
        voter.representation_code, voter.method.upper(), voter.polling_place or "",
        voter.struck_reason or "",
    ]  # fmt: skip


def _safe(value: Any) -> Any:
    """Text a spreadsheet would run as a formula is quoted (CSV injection)."""
    if isinstance(value, str) and value and value[0] in "=@+-\t\r" and not value[1:].isdigit():
        return "'" + value
    return value


def to_csv(voters: Sequence[VoterRead]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for number, voter in enumerate(voters, start=1):
        writer.writerow([_safe(v) for v in _values(number, voter)])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(voters: Sequence[VoterRead]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title="DPTLN")
    sheet.append(list(COLUMNS))
    for number, voter in enumerate(voters, start=1):
        sheet.append([_safe(v) for v in _values(number, voter)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class Export:
    content: bytes
    media_type: str
    filename: str
    sha256: str
    key_id: str
    signature: str  # ES256 over the bytes, base64url (raw DER)


def export(
    session: Session, actor: Actor, *, election_id: uuid.UUID, post: str | None, file_format: str
) -> Export:
    """The post's voter list (DPTLN: the entries not struck) as the commission takes it in,
    with its checksum and signature (audited)."""
    voter_list = access.list_in_reach(session, actor, election_id=election_id, post=post,
                               action="elections.export")  # fmt: skip
    _total, rows = repository.voters(session, list_id=voter_list.id, limit=None, only_listed=True)
    voters = [voter_read(e, p) for e, p in rows]
    if file_format == "xlsx":
        content, media = to_xlsx(voters), XLSX_MEDIA_TYPE
    else:
        content, media = to_csv(voters), "text/csv; charset=utf-8"
    key = keys.active_key(session)
    signature = key.private_key.sign(content, ec.ECDSA(hashes.SHA256()))
    audit.record(
        session, actor=actor, action="elections.exported", entity_type="voter_list",
        entity_id=str(voter_list.id), fields=("nik", "passport", "address", "contact"),
        reason=f"{file_format}: {len(voters)} voters",
    )  # fmt: skip
    name = f"dptln-{voter_list.representation_code}-r{voter_list.round}.{file_format}"
    return Export(content, media, name, hashlib.sha256(content).hexdigest(), key.kid,
                  base64.urlsafe_b64encode(signature).rstrip(b"=").decode())  # fmt: skip
