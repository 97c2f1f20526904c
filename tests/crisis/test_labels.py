"""Every kind, severity and status a crisis can have is shown by a translated name."""

from __future__ import annotations

from peduli.core.i18n import in_language
from peduli.crisis import labels
from peduli.crisis.models import CrisisKind, CrisisStatus, Severity


def test_every_value_has_a_name_in_every_language() -> None:
    for values, names in (
        (CrisisKind, labels.KINDS),
        (Severity, labels.SEVERITIES),
        (CrisisStatus, labels.STATUSES),
    ):
        assert set(names) == {v.value for v in values}
        for name in names.values():
            translated = {in_language(name, language) for language in ("id", "zh", "fr")}
            assert translated - {str(name)}, f"{name} is not translated"


def test_a_stored_code_unknown_today_still_reads_as_a_name() -> None:
    assert labels.kind("meteor") == "Other emergency"
    assert in_language(labels.kind("flood"), "id") == "Banjir"
    assert in_language(labels.status("active"), "zh") == "进行中"
