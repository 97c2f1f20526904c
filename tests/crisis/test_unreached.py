"""Silence becomes work: who is listed as not yet reached, each outcome of an attempt, the
counts on the board, and the post scope (API and service)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import event, select

from peduli import erasure
from peduli.auth.actor import Role
from peduli.auth.audit import AuditEntry
from peduli.cases.models import Case
from peduli.core.db import session_scope, utcnow
from peduli.crisis import reminders, unreached
from peduli.crisis.models import CheckIn, ReachAttempt
from peduli.notify.models import OutboxMessage, OutboxStatus
from tests.crisis.conftest import Sent
from tests.factories import staff

BUDI, JB = "Budi Santoso", '=HYPERLINK("x")'


def remind(hours: int = 3) -> None:
    """The reminder task runs once the reminders are due."""
    with session_scope() as db:
        reminders.remind_silent(db, utcnow() + timedelta(hours=hours))


def listed(sent: Sent, who: str = "hq", **params: Any) -> dict[str, Any]:
    response = sent.client.get(
        f"/api/v1/crises/{sent.crisis_id}/unreached", params=params, headers=sent.headers[who]
    )
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body: dict[str, Any] = response.json()
    return body


def person_id(sent: Sent, name: str) -> str:
    found = [p["person_id"] for p in listed(sent)["people"] if p["full_name"] == name]
    assert found, f"{name} is not listed"
    return found[0]


def attempt(sent: Sent, who: str, person: str, outcome: str, note: str | None = None) -> Any:
    return sent.client.post(
        f"/api/v1/crises/{sent.crisis_id}/unreached/{person}/attempts",
        json={"outcome": outcome, "note": note},
        headers=sent.headers[who],
    )


def board(sent: Sent) -> dict[str, Any]:
    response = sent.client.get(f"/api/v1/crises/{sent.crisis_id}/board", headers=sent.headers["hq"])
    assert response.status_code == 200
    totals: dict[str, Any] = response.json()["totals"]
    return totals


def answer(sent: Sent, index: int, what: str) -> None:
    response = sent.client.post(
        "/api/v1/crises/check-ins", json={"token": sent.tokens[sent.phones[index]], "answer": what}
    )
    assert response.status_code == 201, response.text


def test_only_people_silent_after_the_reminder_are_listed(sent: Sent) -> None:
    assert listed(sent)["total"] == 0, "silent, but no reminder went yet"
    answer(sent, 0, "safe")  # Ani answers before the reminder
    remind()
    body = listed(sent)
    assert body["total"] == 2
    assert {p["full_name"] for p in body["people"]} == {BUDI, JB}
    budi = next(p for p in body["people"] if p["full_name"] == BUDI)
    assert budi["phone"] == sent.phones[1]
    assert (budi["country"], budi["city"], budi["language"]) == ("MY", "Kuala Lumpur", "id")
    assert (budi["message_status"], budi["attempts"]) == ("pending", 0)
    assert body["counts"] == {"not_reached": 2, "unreachable": 0, "reached_safe": 0, "need_help": 0}
    # Each post's officer sees their own post's people; HQ may narrow to one post.
    assert [p["full_name"] for p in listed(sent, "officer_kl")["people"]] == [BUDI]
    assert [p["full_name"] for p in listed(sent, "officer_jb")["people"]] == [JB]
    assert [p["full_name"] for p in listed(sent, post="kjri-johor-bahru")["people"]] == [JB]
    assert listed(sent, "officer_kl", post="kjri-johor-bahru")["total"] == 1, "own post only"
    # The reminder delivered shows as such; one page of one person still counts both.
    with session_scope() as db:
        db.execute(
            OutboxMessage.__table__.update()
            .where(OutboxMessage.idempotency_key.like("%:reminder"))
            .values(status=OutboxStatus.SENT)
        )
    one = listed(sent, per_page=1, page=2)
    assert one["total"] == 2 and len(one["people"]) == 1
    assert {p["message_status"] for p in listed(sent)["people"]} == {"delivered"}
    answer(sent, 1, "safe")  # Budi answers the reminder: off the list
    assert [p["full_name"] for p in listed(sent)["people"]] == [JB]
    for who in ("analyst", "partner"):
        refused = sent.client.get(
            f"/api/v1/crises/{sent.crisis_id}/unreached", headers=sent.headers[who]
        )
        assert refused.status_code == 403, who
    with session_scope() as db:
        reads = db.scalars(
            select(AuditEntry).where(AuditEntry.action == "crisis.unreached_list")
        ).all()
        outcomes = [r.outcome for r in reads]
        assert outcomes.count("denied") == 1 and outcomes.count("allowed") >= 8  # the analyst


def test_unreachable_needs_a_note_and_keeps_the_person_listed(sent: Sent) -> None:
    remind()
    budi = person_id(sent, BUDI)
    missing = attempt(sent, "officer_kl", budi, "unreachable", "  ")
    assert missing.status_code == 422
    assert [e["field"] for e in missing.json()["errors"]] == ["note"]
    bad = attempt(sent, "officer_kl", budi, "maybe")
    assert bad.status_code == 422
    tried = attempt(sent, "officer_kl", budi, "unreachable", "Called twice, no answer.")
    assert tried.status_code == 201, tried.text
    assert tried.json()["outcome"] == "unreachable" and tried.json()["case_id"] is None
    row = next(p for p in listed(sent)["people"] if p["full_name"] == BUDI)
    assert row["attempts"] == 1 and row["last_note"] == "Called twice, no answer."
    assert listed(sent)["people"][-1]["full_name"] == BUDI, "never tried first"
    assert listed(sent)["counts"]["unreachable"] == 1
    assert (
        attempt(sent, "officer_kl", budi, "unreachable", "Visited, nobody home.").status_code == 201
    )
    row = next(p for p in listed(sent)["people"] if p["full_name"] == BUDI)
    assert row["attempts"] == 2 and row["last_note"] == "Visited, nobody home."


def test_reached_safe_counts_as_safe_on_the_board(sent: Sent) -> None:
    remind()
    before = board(sent)
    assert (before["safe"], before["no_answer"]) == (0, 3)
    budi = person_id(sent, BUDI)
    assert attempt(sent, "officer_kl", budi, "unreachable", "No answer.").status_code == 201
    reached = attempt(sent, "officer_kl", budi, "reached_safe", "Spoke to him, at a friend's.")
    assert reached.status_code == 201, reached.text
    assert BUDI not in {p["full_name"] for p in listed(sent)["people"]}
    after = board(sent)
    assert (after["safe"], after["no_answer"]) == (1, 2)
    assert listed(sent)["counts"] == {
        "not_reached": 2, "unreachable": 0, "reached_safe": 1, "need_help": 0,
    }  # fmt: skip
    assert listed(sent, "officer_jb")["counts"]["reached_safe"] == 0, "another post's figure"
    again = attempt(sent, "officer_kl", budi, "unreachable", "Late entry.")
    assert again.status_code == 409
    with session_scope() as db:
        checkin = db.scalars(select(CheckIn).where(CheckIn.via == "officer")).one()
        assert checkin.answer == "safe" and str(checkin.person_id) == budi
        entries = db.scalars(
            select(AuditEntry).where(AuditEntry.action == "crisis.reach_attempt")
        ).all()
        assert len(entries) == 2 and {str(e.subject_person_id) for e in entries} == {budi}


def test_needs_help_opens_a_case_in_the_persons_post(sent: Sent) -> None:
    remind()
    jb = person_id(sent, JB)
    recorded = attempt(sent, "hq", jb, "need_help", "Injured, at home, needs evacuation.")
    assert recorded.status_code == 201, recorded.text
    case_id = recorded.json()["case_id"]
    assert case_id is not None
    with session_scope() as db:
        case = db.get(Case, uuid.UUID(case_id))
        assert case is not None and case.representation_code == "kjri-johor-bahru"
        assert case.danger_to_life
    assert listed(sent)["counts"]["need_help"] == 1
    assert board(sent)["need_help"] == 1
    assert JB not in {p["full_name"] for p in listed(sent)["people"]}


def test_another_posts_person_is_refused_and_the_refusal_audited(sent: Sent) -> None:
    remind()
    jb = person_id(sent, JB)
    refused = attempt(sent, "officer_kl", jb, "reached_safe")
    assert refused.status_code == 403 and refused.json()["code"] == "out_of_scope"
    no_scope = attempt(sent, "analyst", jb, "reached_safe")
    assert no_scope.status_code == 403
    unknown = attempt(sent, "hq", "00000000-0000-4000-8000-000000000000", "reached_safe")
    assert unknown.status_code == 404
    with session_scope() as db:
        assert db.scalars(select(ReachAttempt)).all() == []
        denied = db.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "crisis.reach_attempt", AuditEntry.outcome == "denied"
            )
        ).all()
        assert [str(d.subject_person_id) for d in denied] == [jb]
    assert listed(sent)["total"] == 3, "nothing changed"


def test_erasure_blanks_the_officers_notes_and_keeps_the_outcome(sent: Sent) -> None:
    remind()
    budi = person_id(sent, BUDI)
    noted = attempt(sent, "officer_kl", budi, "unreachable", "Lives at Jalan Ampang 5.")
    assert noted.status_code == 201
    assert unreached.ERASURE_STEP in erasure.STEPS
    with session_scope() as db:
        assert unreached.erase_people(db, [uuid.UUID(budi)], None) == 1
    with session_scope() as db:
        row = db.scalars(select(ReachAttempt)).one()
        assert (row.outcome, row.note) == ("unreachable", None)


def test_a_page_of_the_list_is_one_statement_whatever_its_length(sent: Sent) -> None:
    remind()
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "crisis_recipient" in statement:
            statements.append(statement)

    with session_scope() as db:
        engine = db.get_bind()
        event.listen(engine, "before_cursor_execute", seen)
        try:
            total, people = unreached.unreached(
                db, crisis_id=uuid.UUID(sent.crisis_id), actor=staff(Role.HQ_ADMIN), limit=25
            )
        finally:
            event.remove(engine, "before_cursor_execute", seen)
    assert (total, len(people)) == (3, 3)
    assert len(statements) == 1, statements
