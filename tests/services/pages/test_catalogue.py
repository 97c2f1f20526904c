"""The catalogue's staff pages: HQ revises a service (a new version, never an edit in place,
audited, with the differences shown), keeps the dated rate table; a supervisor writes only
the post's local notes; refusals name the field in the reader's language and keep the input."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.auth.audit import AuditEntry
from peduli.core.i18n import LANGUAGES
from peduli.services import catalogue, fees
from peduli.services.models import ServiceVersion
from tests.web.officer_support import post_form, signed_in_officer

EDIT = "/hq/catalogue/passport-renewal"
SHIPPED = next(entry for entry in catalogue.shipped() if entry.code == "passport-renewal")


def _form(**changes: Any) -> dict[str, Any]:
    """The passport renewal's form as shipped, with ``changes``."""
    form: dict[str, Any] = {
        "fee_usd": "25.00",
        "sla_working_days": "3",
        "channel": "both",
        "applying_for": ["self", "child"],
        **{f"eligibility_{lang}": SHIPPED.eligibility.get(lang) for lang in LANGUAGES},
        "requirement_0_document": "current_passport",
        "requirement_0_who": "applicant",
        "requirement_0_upload": "yes",
        "requirement_1_document": "residence_permit",
        "requirement_1_who": "applicant",
        "requirement_1_upload": "yes",
        "requirement_2_document": "photo",
        "requirement_2_who": "applicant",
        "requirement_3_document": "",
        "requirement_3_who": "applicant",
        "change_note": "",
    }
    return form | changes


def _hq(client: TestClient, db: Session) -> None:
    signed_in_officer(client, db, email="hq@example.org", role=Role.HQ_ADMIN,
                      representation_code=None)  # fmt: skip


def test_hq_publishes_a_new_version_and_sees_what_changed(
    client: TestClient, loaded: Session
) -> None:
    _hq(client, loaded)
    client.cookies.set("peduli_lang", "en")
    form = client.get(EDIT)
    assert form.status_code == 200 and 'value="25.00"' in form.text
    changed = _form(
        fee_usd="30",
        sla_working_days="5",
        requirement_2_document="",  # the photo no longer
        requirement_3_document="ktp_or_kk",
        change_note="New tariff from January",
    )
    done = post_form(client, EDIT, changed, EDIT)
    assert done.status_code == 303, done.text
    assert done.headers["location"] == f"{EDIT}/versions?done=2"
    loaded.expire_all()
    versions = {
        row.version: row
        for row in loaded.scalars(
            select(ServiceVersion).where(ServiceVersion.code == "passport-renewal")
        )
    }
    assert not versions[1].is_current and versions[2].is_current
    assert catalogue.parsed(versions[1].definition).fee_usd == Decimal("25.00")  # untouched
    version, current = catalogue.current_of(loaded, "passport-renewal")
    assert (version, current.fee_usd, current.sla_working_days) == (2, Decimal("30.00"), 5)
    assert [r.document for r in current.requirements] == [
        "current_passport", "residence_permit", "ktp_or_kk",
    ]  # fmt: skip
    audit = loaded.scalar(select(AuditEntry).where(AuditEntry.action == "service.publish"))
    assert audit is not None and audit.entity_id == "passport-renewal@2"
    loaded.rollback()  # end the read: the app writes next
    history = client.get(f"{EDIT}/versions").text
    assert "New tariff from January" in history
    assert "<del>US$25.00</del>" in history and "<ins>US$30.00</ins>" in history
    assert "Passport photo" in history and "Identity card (KTP)" in history
    assert "Eligibility" not in history  # only what changed is listed


def test_a_refused_revision_names_each_field_in_the_readers_language_and_keeps_the_input(
    client: TestClient, loaded: Session
) -> None:
    _hq(client, loaded)
    client.cookies.set("peduli_lang", "fr")
    bad = _form(
        fee_usd="25,999", sla_working_days="7", eligibility_fr="", applying_for=[],
        requirement_3_document="current_passport", change_note="",
    )  # fmt: skip
    refused = post_form(client, EDIT, bad, EDIT)
    assert refused.status_code == 422
    page = refused.text
    assert 'id="fee_usd-error"' in page and 'value="25,999"' in page and 'value="7"' in page
    assert 'id="eligibility_fr-error"' in page and 'id="applying_for-error"' in page
    assert 'id="requirement_3_document-error"' in page and 'id="change_note-error"' in page
    assert "dollars américains" in page  # the fee's problem, in French
    assert catalogue.current_of(loaded, "passport-renewal")[0] == 1
    loaded.rollback()
    unchanged = post_form(client, EDIT, _form(change_note="nothing"), EDIT)
    assert unchanged.status_code == 422 and 'id="changes-error"' in unchanged.text


def test_a_supervisor_writes_local_notes_and_cannot_change_the_standard(
    client: TestClient, loaded: Session
) -> None:
    signed_in_officer(client, loaded, email="sup@example.org", role=Role.SUPERVISOR)
    client.cookies.set("peduli_lang", "en")
    assert client.get("/hq/catalogue").status_code == 403
    token_page = "/officer/local-notes"
    assert post_form(client, EDIT, _form(fee_usd="1"), token_page).status_code == 403
    assert catalogue.current_of(loaded, "passport-renewal")[0] == 1
    loaded.rollback()
    notes = client.get(token_page)
    assert notes.status_code == 200 and "Passport renewal" in notes.text
    url = f"{token_page}/passport-renewal"
    too_long = post_form(client, url, {"note": "x" * 2050}, token_page)
    assert too_long.status_code == 422 and "x" * 2050 in too_long.text
    assert "longer than 2000 characters" in too_long.text
    saved = post_form(client, url, {"note": "Queue at counter 3, Mon–Thu."}, token_page)
    assert saved.status_code == 303
    assert catalogue.local_notes(loaded, "kbri-seoul") == {
        "passport-renewal": "Queue at counter 3, Mon–Thu."
    }
    loaded.rollback()
    listed = client.get("/api/v1/services", params={"representation": "kbri-seoul"}).json()
    renewal = next(s for s in listed if s["code"] == "passport-renewal")
    assert renewal["local_note"] == "Queue at counter 3, Mon–Thu."


def test_hq_adds_a_dated_rate_and_the_fee_follows(client: TestClient, loaded: Session) -> None:
    _hq(client, loaded)
    client.cookies.set("peduli_lang", "en")
    rates = "/hq/rates"
    day = date.today().isoformat()
    refused = post_form(
        client, rates, {"currency": "KRW", "rate_date": day, "idr_per_unit": "-3"}, rates
    )
    assert refused.status_code == 422 and 'id="idr_per_unit-error"' in refused.text
    assert 'value="-3"' in refused.text
    done = post_form(
        client, rates, {"currency": "KRW", "rate_date": day, "idr_per_unit": "12.5"}, rates
    )
    assert done.status_code == 303, done.text
    loaded.expire_all()
    fee = fees.fee_at(loaded, usd_cents=2500, representation_code="kbri-seoul", day=date.today())
    usd = fees.outcomes.rate_on(loaded, "USD", date.today())
    assert usd is not None and fee.local_amount == fees.convert(2500, usd, Decimal("12.5"), "KRW")
    assert loaded.scalar(select(AuditEntry).where(AuditEntry.action == "service.rate"))
