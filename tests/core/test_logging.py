"""The last line of defence in the logs: identifiers written by mistake are masked."""

from __future__ import annotations

from peduli.core.logging import _redact


def test_phones_emails_niks_and_passports_are_masked_in_every_field() -> None:
    event = {
        "event": "sent to siti.aminah+kr@example.co.id via +6281234567890",
        "detail": "NIK 3171011705900001, passport C1234567",
        "count": 3,
    }
    masked = _redact(None, "info", event)
    assert masked["event"] == "sent to [redacted] via [redacted]"
    assert masked["detail"] == "NIK [redacted], passport [redacted]"
    assert masked["count"] == 3
