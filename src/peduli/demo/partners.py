"""The demo's community partners (Mitra Indonesia Mandiri), their accounts and one
delegated case, so that a partner who signs in finds work in the queue."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth.actor import SYSTEM, Actor, Role
from peduli.auth.models import StaffAccount
from peduli.auth.service import staff_actor
from peduli.cases import service as cases_service
from peduli.cases.schemas import CaseCreate
from peduli.partners import delegations
from peduli.partners import service as partners_service
from peduli.partners.models import MemberRole, Partner
from peduli.partners.schemas import DelegationCreate, PartnerCreate


@dataclass(frozen=True)
class DemoPartner:
    body: dict[str, object]
    member_email: str | None


DEMO_PARTNERS: tuple[DemoPartner, ...] = (
    DemoPartner(
        {"name": "Paguyuban WNI Ansan", "kind": "diaspora_association",
         "representation_code": "kbri-seoul", "country": "KR", "subdivisions": ["KR-41"],
         "cities": ["Ansan", "Siheung", "Hwaseong"], "home_provinces": ["33", "35", "52"],
         "languages": ["id", "jv", "ko"], "contact_name": "Slamet Riyadi",
         "contact_email": "paguyuban.ansan@demo.peduli.example", "contact_phone": "+821055501234",
         "description": "Konsultasi pekerja pabrik EPS di Ansan dan sekitarnya."},
        "mitra.seoul@demo.peduli.example",
    ),
    DemoPartner(
        {"name": "Komunitas Muslim Indonesia Busan", "kind": "religious_organisation",
         "representation_code": "kbri-seoul", "country": "KR", "subdivisions": ["KR-26"],
         "cities": ["Busan"], "home_provinces": ["32", "33", "36"], "languages": ["id", "ko"],
         "contact_name": "Ahmad Fauzi", "contact_email": "kmi.busan@demo.peduli.example"},
        None,
    ),
    DemoPartner(
        {"name": "Serikat Pekerja Migran Indonesia KL", "kind": "migrant_worker_union",
         "representation_code": "kbri-kuala-lumpur", "country": "MY",
         "cities": ["Kuala Lumpur", "Petaling Jaya"], "home_provinces": ["52", "53", "61"],
         "languages": ["id", "ms"], "contact_name": "Yuliana Seran",
         "contact_email": "spmi.kl@demo.peduli.example", "contact_phone": "+60123334455"},
        "mitra.kualalumpur@demo.peduli.example",
    ),
)  # fmt: skip


def _officer(session: Session, email: str) -> Actor:
    account = session.scalar(select(StaffAccount).where(StaffAccount.email == email))
    return staff_actor(account, ip=None, via="system") if account else SYSTEM


def ensure_demo_partners(session: Session) -> list[Partner]:
    """Create the demo partners that are missing, link their accounts, delegate one case."""
    existing = set(session.scalars(select(Partner.name)))
    created = []
    for spec in DEMO_PARTNERS:
        if spec.body["name"] in existing:
            continue
        view = partners_service.create_partner(
            session, data=PartnerCreate.model_validate(spec.body), actor=SYSTEM
        )
        created.append(view.partner)
        if spec.member_email:
            account = session.scalar(
                select(StaffAccount).where(
                    StaffAccount.email == spec.member_email, StaffAccount.role == Role.PARTNER
                )
            )
            if account is not None:
                partners_service.link_member(
                    session,
                    partner_id=view.partner.id,
                    staff_account_id=account.id,
                    member_role=MemberRole.COORDINATOR,
                    actor=SYSTEM,
                )
        if view.partner.name == "Paguyuban WNI Ansan":
            _delegated_case(session, view.partner)
    session.flush()
    return created


def _delegated_case(session: Session, partner: Partner) -> None:
    officer = _officer(session, "officer.seoul@demo.peduli.example")
    if officer.role != Role.OFFICER:
        return
    case = cases_service.open_case(
        session,
        data=CaseCreate.model_validate(
            {
                "category": "labour",
                "subcategory": None,
                "summary": "Gaji tiga bulan belum dibayar oleh pabrik di Ansan; paspor ditahan.",
                "people": [{"name": "Agus Prasetyo", "phone": "+821098765432"}],
            }
        ),
        actor=officer,
    )
    delegations.delegate(
        session,
        case_id=case.id,
        data=DelegationCreate.model_validate(
            {
                "partner_id": str(partner.id),
                "consent": True,
                "consent_note": "Setuju lewat telepon dengan petugas.",
                "task": "Temui Agus di asrama pabrik dan pastikan ia aman; tanyakan slip gaji.",
            }
        ),
        actor=officer,
    )
