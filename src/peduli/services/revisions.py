"""HQ revising a service of the catalogue on its pages: the edited fields checked one by one
and published as the next version (``catalogue.publish``: never an edit in place, audited),
the versions of a service, and what changed from one version to the next.

Only what a post must apply the same way everywhere is edited here (requirements,
eligibility, fee, SLA, channel, who may apply); a post adds its local notes elsewhere
(``catalogue.set_local_note``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor
from peduli.core.errors import FieldProblem, ValidationFailed, require_valid
from peduli.core.i18n import LANGUAGES, _
from peduli.services import access, catalogue
from peduli.services.models import ServiceVersion
from peduli.services.schemas import ApplyingFor, Channel, ServiceDefinition

MAX_FEE = Decimal(10000)
MAX_SLA = 60
MAX_TEXT = 1000
MAX_CHANGE_NOTE = 500


@dataclass(frozen=True)
class RequirementEdit:
    """One row of the requirements as the form sent it (an empty document removes it)."""

    document: str
    who: str
    upload: bool


@dataclass(frozen=True)
class ServiceEdit:
    """What HQ typed into a service's form, as text (checked by ``revise``)."""

    fee_usd: str
    sla_working_days: str
    channel: str
    applying_for: tuple[str, ...]
    eligibility: dict[str, str]  # by language
    requirements: tuple[RequirementEdit, ...]
    change_note: str


@dataclass(frozen=True)
class Difference:
    """One field that changed between two versions, both sides in the reader's language."""

    field: str
    before: str
    after: str


def _fee(text: str, problems: list[FieldProblem]) -> Decimal | None:
    try:
        fee = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        fee = None
    if fee is None or not fee.is_finite() or fee < 0 or fee > MAX_FEE or fee != round(fee, 2):
        problems.append(
            FieldProblem(
                "fee_usd",
                "invalid",
                _("Enter the fee in US dollars, from 0 to 10000, with at most two decimals."),
            )
        )
        return None
    return fee.quantize(Decimal("0.01"))


def _sla(text: str, problems: list[FieldProblem]) -> int | None:
    value = text.strip()
    if not value.isdigit() or not 1 <= int(value) <= MAX_SLA:
        problems.append(
            FieldProblem(
                "sla_working_days", "invalid", _("Enter a number of working days from 1 to 60.")
            )
        )
        return None
    return int(value)


def _requirements(
    edit: ServiceEdit, current: ServiceDefinition, problems: list[FieldProblem]
) -> list[dict[str, Any]]:
    documents, bringers = catalogue.vocabulary()
    known_labels = {r.document: r.label for r in current.requirements}
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for n, row in enumerate(edit.requirements):
        if not row.document:
            continue
        label = documents.get(row.document) or known_labels.get(row.document)
        if label is None:
            problems.append(
                FieldProblem(f"requirement_{n}_document", "invalid", _("Choose a document."))
            )
            continue
        if row.document in seen:
            problems.append(
                FieldProblem(
                    f"requirement_{n}_document", "duplicate", _("This document is listed twice.")
                )
            )
            continue
        if row.who not in bringers:
            problems.append(
                FieldProblem(f"requirement_{n}_who", "invalid", _("Choose who brings it."))
            )
            continue
        seen.add(row.document)
        rows.append(
            {
                "document": row.document,
                "who": row.who,
                "upload": row.upload,
                "label": label.model_dump(),
                "who_label": bringers[row.who].model_dump(),
            }
        )
    return rows


def revise(session: Session, *, code: str, edit: ServiceEdit, actor: Actor) -> ServiceVersion:
    """HQ publishes the next version of ``code`` from the form's fields (audited); each bad
    field is named in the refusal, and a form that changes nothing is refused."""
    access.require_catalogue_editor(session, actor, action="service.publish")
    _version, current = catalogue.current_of(session, code)
    problems: list[FieldProblem] = []
    fee, sla = _fee(edit.fee_usd, problems), _sla(edit.sla_working_days, problems)
    if edit.channel not in {c.value for c in Channel}:
        problems.append(FieldProblem("channel", "invalid", _("Choose one of the options.")))
    allowed = {a.value for a in ApplyingFor}
    applying_for = [a for a in allowed if a in edit.applying_for]
    if not applying_for:
        problems.append(
            FieldProblem("applying_for", "required", _("Choose at least one applicant."))
        )
    eligibility = {}
    for language in LANGUAGES:
        text = edit.eligibility.get(language, "").strip()
        if not text or len(text) > MAX_TEXT:
            problems.append(
                FieldProblem(
                    f"eligibility_{language}",
                    "invalid",
                    _("Write the eligibility in this language (at most 1000 characters)."),
                )
            )
        eligibility[language] = text
    requirements = _requirements(edit, current, problems)
    note = edit.change_note.strip()
    if not note or len(note) > MAX_CHANGE_NOTE:
        problems.append(
            FieldProblem(
                "change_note",
                "required",
                _("Say what changes and why (at most 500 characters)."),
            )
        )
    require_valid(problems)
    order = [a.value for a in ApplyingFor]
    revised = ServiceDefinition.model_validate(
        current.model_dump(mode="json")
        | {
            "fee_usd": str(fee),
            "sla_working_days": sla,
            "channel": edit.channel,
            "applying_for": sorted(applying_for, key=order.index),
            "eligibility": eligibility,
            "requirements": requirements,
        }
    )
    if revised == current:
        raise ValidationFailed(
            [FieldProblem("changes", "unchanged", _("Nothing differs from the current version."))]
        )
    return catalogue.publish(
        session, definition=revised.model_dump(mode="json"), change_note=note, actor=actor
    )


def versions(session: Session, code: str) -> list[tuple[ServiceVersion, ServiceDefinition]]:
    """Every version of one service, newest first, each parsed (404 for an unknown code)."""
    catalogue.current_of(session, code)
    rows = session.scalars(
        select(ServiceVersion)
        .where(ServiceVersion.code == code)
        .order_by(ServiceVersion.version.desc())
    )
    return [(row, catalogue.parsed(row.definition)) for row in rows]


def _requirement_lines(entry: ServiceDefinition, language: str) -> dict[str, str]:
    return {
        r.document: f"{r.label.get(language)} ({r.who_label.get(language)})"
        + (" ⇪" if r.upload else "")
        for r in entry.requirements
    }


def differences(old: ServiceDefinition, new: ServiceDefinition, language: str) -> list[Difference]:
    """What changed from ``old`` to ``new``: one line per field, requirements one by one."""
    found = [
        Difference(name, before, after)
        for name, before, after in (
            ("fee_usd", f"{old.fee_usd:.2f}", f"{new.fee_usd:.2f}"),
            ("sla_working_days", str(old.sla_working_days), str(new.sla_working_days)),
            ("channel", old.channel.value, new.channel.value),
            (
                "applying_for",
                " ".join(a.value for a in old.applying_for),
                " ".join(a.value for a in new.applying_for),
            ),
            ("name", old.name.get(language), new.name.get(language)),
        )
        if before != after
    ]
    found += [
        Difference(f"eligibility_{lang}", old.eligibility.get(lang), new.eligibility.get(lang))
        for lang in LANGUAGES
        if old.eligibility.get(lang) != new.eligibility.get(lang)
    ]
    before, after = _requirement_lines(old, language), _requirement_lines(new, language)
    found += [
        Difference("requirement", before.get(doc, ""), after.get(doc, ""))
        for doc in [*before, *(d for d in after if d not in before)]
        if before.get(doc) != after.get(doc)
    ]
    return found
