"""Duty rosters: shifts per representation in its local time, and who is on duty now.

A shift is entered in the representation's wall-clock time and converted to UTC once, with
``zoneinfo``, when it is written; "on duty at ``now``" is then a plain range condition in
SQL (``starts_at <= now < ends_at``), right across midnight and daylight-saving changes. A
local time that does not exist (the hour skipped in spring) or exists twice (the hour
repeated in autumn) is read as ``zoneinfo`` does with ``fold=0``: the earlier offset.

The HQ duty desk is a roster like a post's, under the reserved code ``HQ_DESK`` (no post's
code looks like it): HQ admins on it, in headquarters' time zone (the country profile's
``home_timezone``), kept on the same roster page by HQ admins. It takes the emergencies
that no one at their post acknowledged (``alerting``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, delete, select
from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth.actor import Actor
from peduli.auth.models import StaffAccount
from peduli.auth.roles import HQ_DESK_ROLES, ON_DUTY_ROLES
from peduli.core.errors import FieldProblem, NotFound, require_valid
from peduli.core.i18n import _
from peduli.emergency import access
from peduli.emergency.models import DutyShift
from peduli.reference.places import directory
from peduli.reference.profile import get_profile

MAX_SHIFT = timedelta(days=7)
HQ_DESK = "hq"  # the roster code of the HQ duty desk (posts are kbri-…, kjri-…, …)


def check_code(representation_code: str) -> None:
    """Refuse a roster code that is neither a post of the directory nor the HQ desk."""
    if representation_code != HQ_DESK:
        directory().get(representation_code)


def zone_of(representation_code: str) -> ZoneInfo:
    """The roster's IANA time zone: the post's (reference data), or headquarters'."""
    if representation_code == HQ_DESK:
        return ZoneInfo(get_profile().home_timezone)
    return ZoneInfo(directory().get(representation_code).timezone)


def members(representation_code: str) -> ColumnElement[bool]:
    """The SQL condition of the active staff accounts who may sit on roster ``code``:
    a post's officers and supervisors, or the HQ desk's HQ admins."""
    belongs: ColumnElement[bool]
    if representation_code == HQ_DESK:
        belongs = StaffAccount.role.in_(sorted(HQ_DESK_ROLES))
    else:
        belongs = (StaffAccount.representation_code == representation_code) & (
            StaffAccount.role.in_(sorted(ON_DUTY_ROLES))
        )
    return belongs & StaffAccount.disabled_at.is_(None)


def to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """A wall-clock time at ``zone`` as an aware UTC datetime."""
    return local.replace(tzinfo=zone).astimezone(UTC)


def to_local(moment: datetime, zone: ZoneInfo) -> datetime:
    """An instant as wall-clock time at ``zone`` (naive): what a shift stores and a page shows."""
    return moment.astimezone(zone).replace(tzinfo=None)


def at_place(moment: datetime, zone: ZoneInfo) -> datetime:
    """An instant as the time at ``zone`` with that zone's offset: what the API answers.

    RFC 3339 date-times carry an offset; a naive wall-clock time would read as UTC to
    every client and schema validator.
    """
    return moment.astimezone(zone)


def _local(value: datetime, zone: ZoneInfo) -> datetime:
    """A given time as wall-clock time at ``zone`` (one with an offset is converted)."""
    return to_local(value, zone) if value.tzinfo is not None else value


def on_duty_at(now: datetime | Any, shift: Any = DutyShift) -> ColumnElement[bool]:
    """The SQL condition of shifts (``shift``: the table or an alias) running at ``now``."""
    return and_(shift.starts_at <= now, shift.ends_at > now)


@dataclass(frozen=True)
class ShiftInput:
    account_id: uuid.UUID
    starts_local: datetime
    ends_local: datetime
    rank: int = 0
    phone: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class OnDuty:
    shift: DutyShift
    display_name: str
    email: str


def add_shift(
    session: Session, *, representation_code: str, data: ShiftInput, actor: Actor
) -> DutyShift:
    """Put an officer of the representation on its roster (supervisors and HQ admins); an
    HQ admin on the HQ desk's (HQ admins)."""
    check_code(representation_code)
    access.require_post(session, actor, representation_code, action="roster.add_shift", edit=True)
    problems: list[FieldProblem] = []
    member = session.scalar(
        select(StaffAccount.id).where(
            StaffAccount.id == data.account_id, members(representation_code)
        )
    )
    if member is None and representation_code == HQ_DESK:
        problems.append(
            FieldProblem(
                "account_id",
                "not_hq_admin",
                _("This account is not an active HQ admin."),
                _("Only HQ admins sit on the HQ duty desk."),
            )
        )
    elif member is None:
        problems.append(
            FieldProblem(
                "account_id",
                "not_staff_of_post",
                _("This account is not an active officer or supervisor of the representation."),
                _("Pick one of the representation's staff (GET the roster to see them)."),
            )
        )
    zone = zone_of(representation_code)
    starts, ends = _local(data.starts_local, zone), _local(data.ends_local, zone)
    if ends <= starts:
        problems.append(
            FieldProblem(
                "ends_local",
                "ends_before_start",
                _("The shift must end after it starts."),
                _("A night shift ends on the next day, e.g. 2026-11-24T22:00 to 2026-11-25T06:00."),
            )
        )
    elif ends - starts > MAX_SHIFT:
        problems.append(
            FieldProblem(
                "ends_local",
                "shift_too_long",
                _("A shift lasts at most 7 days."),
                _("Split a longer duty into several shifts."),
            )
        )
    if not 0 <= data.rank <= 9:
        problems.append(
            FieldProblem(
                "rank",
                "bad_rank",
                _("The order must be between 0 (primary) and 9."),
                _("0 is the primary, 1 the first backup, and so on."),
            )
        )
    phone = None
    if data.phone:
        phone, phone_problems = get_profile().normalize_phone(
            data.phone, default_region=None, field="phone"
        )
        problems += phone_problems
    require_valid(problems)
    shift = DutyShift(
        representation_code=representation_code,
        account_id=data.account_id,
        starts_local=starts,
        ends_local=ends,
        starts_at=to_utc(starts, zone),
        ends_at=to_utc(ends, zone),
        rank=data.rank,
        phone=phone,
        note=data.note,
        created_by_account_id=actor.account_id,
    )
    session.add(shift)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="roster.add_shift",
        entity_type="duty_shift",
        entity_id=str(shift.id),
        fields=["account_id", "starts_local", "ends_local", "rank"],
    )
    return shift


def remove_shift(session: Session, *, shift_id: uuid.UUID, actor: Actor) -> None:
    """Take a shift off the roster (supervisors of its representation and HQ admins)."""
    code = session.scalar(select(DutyShift.representation_code).where(DutyShift.id == shift_id))
    if code is None:
        raise NotFound(_("There is no shift with this id."))
    access.require_post(session, actor, code, action="roster.remove_shift", edit=True)
    session.execute(delete(DutyShift).where(DutyShift.id == shift_id))
    audit.record(
        session,
        actor=actor,
        action="roster.remove_shift",
        entity_type="duty_shift",
        entity_id=str(shift_id),
    )


def list_shifts(
    session: Session,
    *,
    representation_code: str,
    actor: Actor,
    start: datetime,
    end: datetime,
) -> Sequence[tuple[DutyShift, str]]:
    """Shifts overlapping ``[start, end)`` with the officer's name, by start then order."""
    check_code(representation_code)
    access.require_post(session, actor, representation_code, action="roster.read", edit=False)
    rows = session.execute(
        select(DutyShift, StaffAccount.display_name)
        .join(StaffAccount, StaffAccount.id == DutyShift.account_id)
        .where(
            DutyShift.representation_code == representation_code,
            DutyShift.starts_at < end,
            DutyShift.ends_at > start,
        )
        .order_by(DutyShift.starts_at, DutyShift.rank)
        .limit(500)
    ).all()
    return [(shift, name) for shift, name in rows]


def on_duty(session: Session, *, representation_code: str, now: datetime) -> list[OnDuty]:
    """Who is on duty at ``now``, primary first (no access check: the alerting uses it)."""
    rows = session.execute(
        select(DutyShift, StaffAccount.display_name, StaffAccount.email)
        .join(StaffAccount, StaffAccount.id == DutyShift.account_id)
        .where(
            DutyShift.representation_code == representation_code,
            on_duty_at(now),
            StaffAccount.disabled_at.is_(None),
        )
        .order_by(DutyShift.rank, DutyShift.starts_at)
    ).all()
    return [OnDuty(shift=shift, display_name=name, email=email) for shift, name, email in rows]


def post_staff(session: Session, *, representation_code: str) -> list[tuple[uuid.UUID, str]]:
    """Who may go on the roster: the post's active officers and supervisors, or (HQ desk)
    the active HQ admins (for the roster form)."""
    rows = session.execute(
        select(StaffAccount.id, StaffAccount.display_name)
        .where(members(representation_code))
        .order_by(StaffAccount.display_name)
    ).all()
    return [(account_id, name) for account_id, name in rows]


def officer_name(session: Session, account_id: uuid.UUID) -> str:
    """A staff member's display name."""
    return (
        session.scalar(select(StaffAccount.display_name).where(StaffAccount.id == account_id)) or ""
    )
