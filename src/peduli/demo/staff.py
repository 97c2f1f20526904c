"""The demo's staff accounts: one per role, with a known password and a known TOTP key.

A newcomer signs in with the password and the code an authenticator app shows for the
key (or ``peduli staff totp-code --email …`` prints it). These accounts exist only in a
demo database; the keys are public, so never create them anywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth import accounts, totp
from peduli.auth.actor import Role
from peduli.auth.models import StaffAccount
from peduli.demo.rosters import ensure_demo_rosters

DEMO_PASSWORD = "peduli-demo-2026"  # noqa: S105 - the documented demo password


@dataclass(frozen=True)
class DemoStaff:
    """One demo account as the README and the start-up banner list it."""

    email: str
    role: Role
    representation_code: str | None
    display_name: str
    totp_secret: str | None  # base32; None for agency clients (API tokens only)


DEMO_STAFF: tuple[DemoStaff, ...] = (
    DemoStaff("officer.seoul@demo.peduli.example", Role.OFFICER, "kbri-seoul",
              "Dewi Lestari (KBRI Seoul)", "USXECALUNNGF5UR4IBC2TLFIEE6N4HQZ"),
    DemoStaff("supervisor.seoul@demo.peduli.example", Role.SUPERVISOR, "kbri-seoul",
              "Bambang Sutrisno (KBRI Seoul)", "N7FODCNKS5QF676TT57DPLSSN4UPPSB2"),
    DemoStaff("officer.kualalumpur@demo.peduli.example", Role.OFFICER, "kbri-kuala-lumpur",
              "Siti Rahmawati (KBRI Kuala Lumpur)", "GWCKPJJ72KYEM5NH45MBN7PCXF6VVUQL"),
    DemoStaff("officer.hongkong@demo.peduli.example", Role.OFFICER, "kjri-hong-kong",
              "Yohanes Manek (KJRI Hong Kong)", "MSEQTJHMF3CG4PERSGKWISDN3FKU33OV"),
    DemoStaff("analyst@demo.peduli.example", Role.HQ_ANALYST, None,
              "Rina Kurniasih (HQ analyst)", "IFYRFKQTTCGHDGA3SZ6D5EHBWCMI6KMV"),
    DemoStaff("admin@demo.peduli.example", Role.HQ_ADMIN, None,
              "Agus Setiawan (HQ admin)", "PSDU3FSZJSBQ6IL63BXYFYXNZZYTY2GL"),
    # A second HQ admin: a broadcast drafted by one is approved by another (two people).
    DemoStaff("admin2@demo.peduli.example", Role.HQ_ADMIN, None,
              "Ratna Wulandari (HQ admin)", "BKEZ635GGYH6ZO5HI6LJVVZCJ4JEJQKV"),
    DemoStaff("mitra.seoul@demo.peduli.example", Role.PARTNER, "kbri-seoul",
              "Mitra Indonesia Mandiri Ansan", "GWWVWA3JCU3RRWX5LTMRKOJPJZJYBWI3"),
    DemoStaff("mitra.kualalumpur@demo.peduli.example", Role.PARTNER, "kbri-kuala-lumpur",
              "Serikat Pekerja Migran Indonesia KL", "4RS3WLY5FCBBRNC5AKPRIHPUCMAKXXLC"),
    DemoStaff("agency.bp2mi@demo.peduli.example", Role.AGENCY, None,
              "BP2MI (agency client)", None),
)  # fmt: skip


def ensure_demo_staff(session: Session) -> list[StaffAccount]:
    """Create the demo accounts that are missing; existing ones are left as they are."""
    existing = set(session.scalars(select(StaffAccount.email)))
    created = []
    for spec in DEMO_STAFF:
        if spec.email in existing:
            continue
        account, _generated = accounts.create_staff(
            session,
            email=spec.email,
            role=spec.role,
            representation_code=spec.representation_code,
            display_name=spec.display_name,
            password=None if spec.role == Role.AGENCY else DEMO_PASSWORD,
        )
        if spec.totp_secret:
            _pin_totp_secret(account, spec.totp_secret)
        created.append(account)
    session.flush()
    ensure_demo_rosters(session)  # so an SOS alerts the demo officers at once
    return created


def _pin_totp_secret(account: StaffAccount, secret: str) -> None:
    """Replace the random TOTP key with the documented one, already enrolled."""
    totp.set_secret(account, secret)
