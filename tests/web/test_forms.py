"""The form runner: success answers ``done``; a refusal rolls back, keeps the after-rollback
audits and answers ``refused``; any other error is left to the error pages."""

from __future__ import annotations

from typing import Any, cast

import pytest
from fastapi.responses import Response
from pydantic import BaseModel, EmailStr, Field
from sqlalchemy.orm import Session

from peduli.core.db import after_rollback
from peduli.core.errors import FieldProblem, Forbidden, NotFound, ValidationFailed
from peduli.core.i18n import in_language
from peduli.web.forms import Refusal, all_but_not_found, only, run_form


class FakeSession:
    """Records what the runner does to the transaction."""

    def __init__(self) -> None:
        self.info: dict[str, Any] = {}
        self.calls: list[str] = []

    def rollback(self) -> None:
        self.calls.append("rollback")

    def commit(self) -> None:
        self.calls.append("commit")


class Name(BaseModel):
    name: str = Field(min_length=3)


def _session() -> tuple[FakeSession, Session]:
    fake = FakeSession()
    return fake, cast(Session, fake)


def _refused_with(seen: list[Refusal]) -> Any:
    def refused(refusal: Refusal) -> Response:
        seen.append(refusal)
        return Response("refused", status_code=refusal.status)

    return refused


def _never(_: Refusal) -> Response:
    raise AssertionError("the form was not refused")


def _raise(error: Exception) -> Any:
    def action() -> None:
        raise error

    return action


def test_success_with_a_url_is_a_see_other() -> None:
    fake, db = _session()

    answer = run_form(db, lambda: None, done="/officer?done=saved", refused=_never)

    assert answer.status_code == 303
    assert answer.headers["location"] == "/officer?done=saved"
    assert fake.calls == []


def test_success_hands_the_result_to_done() -> None:
    fake, db = _session()

    answer = run_form(
        db, lambda: 42, done=lambda result: Response(str(result), status_code=201), refused=_never
    )

    assert (answer.status_code, answer.body) == (201, b"42")
    assert fake.calls == []


def test_a_field_refusal_rolls_back_keeps_the_audit_and_shows_the_form() -> None:
    fake, db = _session()
    problem = FieldProblem("code", "wrong_code", "That code is not right.")
    kept: list[str] = []

    def action() -> None:
        after_rollback(db, lambda _session: kept.append("denial audited"))
        raise ValidationFailed([problem])

    seen: list[Refusal] = []
    answer = run_form(db, action, done="/done", refused=_refused_with(seen))

    assert answer.status_code == 422
    assert fake.calls == ["rollback", "commit"]
    assert kept == ["denial audited"]
    assert seen[0].problems == {"code": problem}
    assert seen[0].failure is None


def test_a_refusal_without_fields_is_shown_above_the_form() -> None:
    fake, db = _session()
    error = Forbidden("Not your post.")
    seen: list[Refusal] = []

    answer = run_form(db, _raise(error), done="/done", refused=_refused_with(seen))

    assert answer.status_code == 403
    assert fake.calls == ["rollback"]
    assert seen[0].problems == {}
    assert seen[0].failure is error


def test_an_error_the_form_does_not_show_goes_to_the_error_page_untouched() -> None:
    fake, db = _session()

    with pytest.raises(Forbidden):
        run_form(
            db,
            _raise(Forbidden("Not your post.")),
            done="/done",
            refused=_never,
            refuses=only(ValidationFailed),
        )

    assert fake.calls == []


def test_an_unknown_record_stays_a_404_page() -> None:
    _, db = _session()

    with pytest.raises(NotFound):
        run_form(
            db,
            _raise(NotFound("No such case.")),
            done="/done",
            refused=_never,
            refuses=all_but_not_found,
        )


def test_a_schema_refusal_is_shown_field_by_field() -> None:
    fake, db = _session()
    seen: list[Refusal] = []

    answer = run_form(
        db, lambda: Name.model_validate({"name": "ab"}), done="/done", refused=_refused_with(seen)
    )

    assert answer.status_code == 422
    assert fake.calls == ["rollback"]
    assert list(seen[0].problems) == ["name"]
    assert seen[0].problems["name"].code == "string_too_short"


def test_a_schema_refusal_says_what_to_do_in_our_words() -> None:
    class Contact(BaseModel):
        email: EmailStr

    _fake, db = _session()
    seen: list[Refusal] = []
    run_form(
        db,
        lambda: Contact.model_validate({"email": "siti@@example"}),
        done="/done",
        refused=_refused_with(seen),
    )
    problem = seen[0].problems["email"]
    assert (problem.code, problem.message) == (
        "email_invalid",
        "The email address is not written correctly.",
    )
    assert in_language(problem.hint, "id") == "Tulis seperti nama@example.org."
