"""The crisis board's live list of who asked for help: by name, tap to call, who took it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from peduli.auth.actor import Role
from peduli.auth.audit import AuditEntry
from peduli.core.db import session_scope
from peduli.crisis import help_requests
from peduli.emergency import service as emergency_service
from peduli.emergency.models import Emergency
from tests.crisis.conftest import Sent
from tests.emergency.conftest import on_duty_now, staff_actor
from tests.worker import raise_calls_for_help


def _ask(sent: Sent, number: int, note: str) -> None:
    answer = {"token": sent.tokens[sent.phones[number]], "answer": "need_help", "note": note}
    assert sent.client.post("/api/v1/crises/check-ins", json=answer).status_code == 201
    raise_calls_for_help()  # as the worker does a second later


def _board(sent: Sent, who: str, query: str = "", polled: bool = False) -> str:
    path = f"/officer/crises/{sent.crisis_id}" + ("/board" if polled else "")
    headers = sent.headers[who] | ({"HX-Request": "true"} if polled else {})
    page = sent.client.get(f"{path}?lang=en{query}", headers=headers)
    assert page.status_code == 200, page.text
    return page.text


def test_the_board_lists_who_asked_for_help_with_a_phone_to_tap_and_who_took_it(
    sent: Sent,
) -> None:
    with session_scope() as db:
        dewi = staff_actor(db, Role.OFFICER, "kbri-kuala-lumpur", "Dewi Duty")
        on_duty_now(db, dewi)
    _ask(sent, 0, "Atap runtuh")
    _ask(sent, 1, "Air naik")
    _ask(sent, 2, "Jalan putus")
    with session_scope() as db:
        first = db.scalars(select(Emergency).order_by(Emergency.created_at)).first()
        assert first is not None
        emergency_service.acknowledge(db, emergency_id=first.id, actor=dewi)
    html = _board(sent, "officer_kl")
    assert "Asked for help: 2" in html
    assert "Ani Lestari" in html and "Budi Santoso" in html and "HYPERLINK" not in html
    assert f'href="tel:{sent.phones[0]}"' in html
    assert "Atap runtuh" in html and "Kuala Lumpur, Malaysia" in html and "English" in html
    ani = html[html.index("Ani Lestari") :]
    assert "Dewi Duty" in ani and "Not taken yet" in html
    assert html.index("Budi Santoso") < html.index("Ani Lestari"), "newest call first"
    polled = _board(sent, "officer_kl", polled=True)
    assert polled.lstrip().startswith('<div id="crisis-board"') and "Budi Santoso" in polled
    other_post = _board(sent, "officer_jb")
    assert "Asked for help: 1" in other_post and "Ani Lestari" not in other_post
    assert "Budi Santoso" not in other_post
    analyst = _board(sent, "analyst")
    assert "Asked for help" not in analyst and "Ani Lestari" not in analyst
    with session_scope() as db:
        reads = db.execute(
            select(AuditEntry.subject_person_id, AuditEntry.reason).where(
                AuditEntry.action == "crisis.help_list",
                AuditEntry.reason == "scope kbri-kuala-lumpur",
            )
        ).all()
        assert len(reads) == 2, "each person shown named once, the polled board adds none"


def test_the_list_is_paged_and_the_polling_keeps_the_page(
    sent: Sent, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(help_requests, "PER_PAGE", 1)
    _ask(sent, 0, "Atap runtuh")
    _ask(sent, 1, "Air naik")
    first = _board(sent, "officer_kl")
    assert "Budi Santoso" in first and "Ani Lestari" not in first and "Page 1 of 2" in first
    second = _board(sent, "officer_kl", "&help_page=2")
    assert "Ani Lestari" in second and "Budi Santoso" not in second
    assert f'hx-get="/officer/crises/{sent.crisis_id}/board?help_page=2"' in second
    past_the_end = _board(sent, "officer_kl", "&help_page=9", polled=True)
    assert "Ani Lestari" in past_the_end and "Now says safe" not in past_the_end
    safe = {"token": sent.tokens[sent.phones[0]], "answer": "safe"}
    assert sent.client.post("/api/v1/crises/check-ins", json=safe).status_code == 201
    assert "Now says safe" in _board(sent, "officer_kl", "&help_page=2")


def _named(sent: Sent, who: str) -> list[str]:
    """The names of the people each help-list audit entry of ``who`` names, oldest first."""
    from peduli.auth.models import StaffAccount
    from peduli.registry.models import Person

    with session_scope() as db:
        return list(
            db.scalars(
                select(Person.full_name)
                .join(AuditEntry, AuditEntry.subject_person_id == Person.id)
                .join(StaffAccount, StaffAccount.id == AuditEntry.actor_account_id)
                .where(
                    AuditEntry.action == "crisis.help_list",
                    AuditEntry.entity_id == sent.crisis_id,
                    StaffAccount.email == f"{who}@kemlu.example",
                )
                .order_by(AuditEntry.seq)
            )
        )


def test_refreshes_audit_only_new_people_and_everyone_again_once_per_period(
    sent: Sent, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import timedelta

    from peduli.auth import audit
    from peduli.core.db import utcnow

    _ask(sent, 0, "Atap runtuh")
    for _ in range(3):
        _board(sent, "officer_kl", polled=True)
    assert _named(sent, "officer_kl") == ["Ani Lestari"]
    _ask(sent, 1, "Air naik")
    _board(sent, "officer_kl", polled=True)
    _board(sent, "officer_kl")
    assert _named(sent, "officer_kl") == ["Ani Lestari", "Budi Santoso"], "only the new one"
    _board(sent, "hq", polled=True)
    assert _named(sent, "hq") == ["Budi Santoso", "Ani Lestari"], "per officer"
    later = utcnow() + help_requests.AUDIT_EVERY + timedelta(seconds=1)
    monkeypatch.setattr(audit, "utcnow", lambda: later)
    monkeypatch.setattr(help_requests, "utcnow", lambda: later)
    _board(sent, "officer_kl", polled=True)
    _board(sent, "officer_kl", polled=True)
    assert _named(sent, "officer_kl") == [
        "Ani Lestari", "Budi Santoso", "Budi Santoso", "Ani Lestari",
    ]  # fmt: skip
