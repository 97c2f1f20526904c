"""The rule every referral and delegation keeps: the citizen's data leaves the ministry only
with their consent, or on a legal ground stated when there is no time to ask."""

from __future__ import annotations

from dataclasses import dataclass

from peduli.core.errors import FieldProblem, require_valid
from peduli.core.i18n import _
from peduli.partners.models import ShareBasis
from peduli.partners.schemas import ConsultationCreate, ShareBasisIn

MIN_GROUND_NOTE = 10


@dataclass(frozen=True)
class Basis:
    basis: ShareBasis
    note: str | None


def share_basis(data: ShareBasisIn | ConsultationCreate) -> Basis:
    """Consent or a legal ground with its reason: exactly one of the two."""
    problems: list[FieldProblem] = []
    if data.consent and data.legal_ground:
        problems.append(
            FieldProblem(
                "legal_ground",
                "consent_or_ground",
                _("Give either the citizen's consent or a legal ground, not both."),
                _("With consent, leave legal_ground out."),
            )
        )
    elif not data.consent and not data.legal_ground:
        problems.append(
            FieldProblem(
                "consent",
                "basis_required",
                _(
                    "Record the citizen's consent to share their case, or the legal ground "
                    "when there is no time to ask (danger to life)."
                ),
                _("Send consent: true, or legal_ground: vital_interest with legal_ground_note."),
            )
        )
    elif data.legal_ground and len((data.legal_ground_note or "").strip()) < MIN_GROUND_NOTE:
        problems.append(
            FieldProblem(
                "legal_ground_note",
                "ground_note_required",
                _("Say why the citizen could not be asked (at least {min} characters).").format(
                    min=MIN_GROUND_NOTE
                ),
                _("For example: detained and unreachable, life in danger."),
            )
        )
    require_valid(problems)
    if data.consent:
        return Basis(ShareBasis.CONSENT, data.consent_note or None)
    assert data.legal_ground is not None
    return Basis(ShareBasis(data.legal_ground), (data.legal_ground_note or "").strip())
