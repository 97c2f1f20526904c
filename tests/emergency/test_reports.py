"""What an SOS must say: every bad field is named at once, and a call-back number is needed."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from peduli.core.errors import ValidationFailed
from peduli.emergency import service
from peduli.emergency.schemas import EmergencyCreate
from tests.emergency.conftest import sos


def _report(db: Session, **overrides: object) -> service.Reported:
    data = EmergencyCreate.model_validate(sos(**overrides))
    return service.report_emergency(db, data=data, actor=None, ip="198.51.100.1")


def test_every_bad_field_is_named(db: Session) -> None:
    data = EmergencyCreate.model_validate(
        {"kind": "other", "country": "XX", "phone": "12", "name": " "}
    )
    with pytest.raises(ValidationFailed) as failure:
        service.report_emergency(db, data=data, actor=None, ip="198.51.100.1")
    fields = {p.field: p.code for p in failure.value.problems}
    assert fields["country"] == "unknown_country"
    assert fields["name"] == "name_required"
    assert "phone" in fields


def test_a_callback_number_is_required(db: Session) -> None:
    with pytest.raises(ValidationFailed) as failure:
        _report(db, phone=None)
    assert [p.code for p in failure.value.problems] == ["callback_required"]
