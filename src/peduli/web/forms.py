"""The form runner: how every page form handler runs its use case.

A page form posts; the handler takes the caller as ``desk.SignedIn`` (a reader without a
staff session is sent to sign in before the handler runs), checks the typed input, then
hands the use case to ``run_form``. The request's transaction belongs to the
request dependency, so a refused form must not leave half its writes behind: the runner
rolls back with ``rollback_and_keep`` (what a service registered for after the rollback,
e.g. a denial or failed sign-in audit, is still committed), then asks the page for the form
again with the typed input kept and the problems in the reader's language. Page modules
therefore never commit or roll back themselves::

    return run_form(
        db,
        lambda: service.open_case(db, data=body, actor=staff),
        done=lambda case: RedirectResponse(f"/officer/cases/{case.id}", status_code=303),
        refused=lambda refusal: _form_page(
            request, staff, form, problems=refusal.problems, failure=refusal.failure,
            status_code=refusal.status,
        ),
    )
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeVar

from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from peduli.core.db import rollback_and_keep
from peduli.core.errors import FieldProblem, PeduliError, ValidationFailed
from peduli.core.schema_errors import schema_problems

T = TypeVar("T")


@dataclass(frozen=True)
class Refusal:
    """Why the use case refused the form, in the shape a form page shows it."""

    error: PeduliError

    @property
    def problems(self) -> dict[str, FieldProblem]:
        """The problems to show next to their fields, by field name."""
        return {problem.field: problem for problem in self.error.problems}

    @property
    def failure(self) -> PeduliError | None:
        """The refusal to show above the form, when no field is to blame."""
        return None if self.error.problems else self.error

    @property
    def status(self) -> int:
        """The status the page answers with: the error's own (422, 403, 409, 429...)."""
        return self.error.status


def every_refusal(error: PeduliError) -> bool:
    """The default: every domain error is shown on the form."""
    return True


def all_but_not_found(error: PeduliError) -> bool:
    """Every error is shown on the form, but an unknown or out-of-reach record stays a 404."""
    return error.status != 404


def only(*kinds: type[PeduliError]) -> Callable[[PeduliError], bool]:
    """Show only these errors on the form; any other goes to the error page."""
    return lambda error: isinstance(error, kinds)


def run_form(
    db: Session,
    action: Callable[[], T],
    *,
    done: str | Callable[[T], Response],
    refused: Callable[[Refusal], Response],
    refuses: Callable[[PeduliError], bool] = every_refusal,
) -> Response:
    """Run a page form's use case and answer the reader.

    On success: ``done`` with the action's result, or a 303 to ``done`` when it is a URL.
    When the action raises a domain error that ``refuses`` accepts (or a schema's
    ``ValidationError``, as field problems): roll back, keeping the after-rollback audits,
    and answer ``refused``. Any other error propagates to the error pages unchanged.
    """
    try:
        result = action()
    except ValidationError as invalid:
        refusal = Refusal(_schema_refusal(invalid))
    except PeduliError as error:
        if not refuses(error):
            raise
        refusal = Refusal(error)
    else:
        return RedirectResponse(done, status_code=303) if isinstance(done, str) else done(result)
    rollback_and_keep(db)
    return refused(refusal)


def _schema_refusal(invalid: ValidationError) -> ValidationFailed:
    """A schema built inside the action refused the input: one problem per field."""
    problems = schema_problems(invalid.errors())
    # A form names its fields by their last part (``stay.country`` is the field ``country``).
    return ValidationFailed([replace(p, field=p.field.rsplit(".", 1)[-1]) for p in problems])
