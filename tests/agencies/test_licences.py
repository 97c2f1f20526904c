"""BP2MI's licence list, refreshed into ``licensed_agency`` by the periodic job (cached), and
the licence state of an agency by number or by the name a self-report gave."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from peduli.agencies import licences
from peduli.agencies.models import AgencyAnswer
from peduli.agencies.sandbox import AgencySandboxes
from peduli.agencies.sandbox.travel_population import LicenceStatus
from peduli.agencies.travel_models import LicenceState, LicensedAgency
from peduli.core.db import utcnow
from peduli.jobs import PERIODIC_TASKS
from tests.agencies.travel_helpers import agency, bp2mi_of


def _listed(db: Session) -> dict[str, str]:
    rows = db.execute(select(LicensedAgency.licence, LicensedAgency.status)).all()
    return dict(rows)


def test_the_job_stores_the_list_then_follows_its_changes(
    db: Session, agencies: AgencySandboxes
) -> None:
    bp2mi = bp2mi_of(agencies)
    bp2mi.add_agency(agency("SIP3MI-00001", "PT Sinar Jaya Abadi"))
    bp2mi.add_agency(agency("SIP3MI-00002", "PT Duta Graha Insani", LicenceStatus.REVOKED))
    (task,) = [t for t in PERIODIC_TASKS if t.name == "refresh-licensed-agencies"]
    assert task.run is not None
    assert task.run(db, utcnow()) == 2
    db.commit()
    assert _listed(db) == {"SIP3MI-00001": "active", "SIP3MI-00002": "revoked"}
    bp2mi.records.agencies.pop("SIP3MI-00002")
    bp2mi.add_agency(agency("SIP3MI-00003", "CV Mitra Bersama"))
    asked = len(bp2mi.received)
    licences.refresh(db, utcnow())
    assert len(bp2mi.received) == asked, "the list is cached"
    db.execute(update(AgencyAnswer).values(expires_at=utcnow()))
    licences.refresh(db, utcnow())
    db.commit()
    assert _listed(db) == {"SIP3MI-00001": "active", "SIP3MI-00003": "active"}


def test_an_outage_keeps_the_list_as_it_was(db: Session, agencies: AgencySandboxes) -> None:
    bp2mi = bp2mi_of(agencies)
    bp2mi.add_agency(agency("SIP3MI-00001", "PT Sinar Jaya Abadi"))
    licences.refresh(db, utcnow())
    db.commit()
    db.execute(update(AgencyAnswer).values(expires_at=utcnow()))
    bp2mi.faults.switch_on("error", status=503)
    assert licences.refresh(db, utcnow()) == 0
    db.commit()
    assert _listed(db) == {"SIP3MI-00001": "active"}


def test_states_by_licence_and_by_reported_name(db: Session, agencies: AgencySandboxes) -> None:
    bp2mi = bp2mi_of(agencies)
    bp2mi.add_agency(agency("SIP3MI-00001", "PT Sinar Jaya Abadi"))
    bp2mi.add_agency(agency("SIP3MI-00002", "PT. Duta Graha Insani", LicenceStatus.REVOKED))
    assert not licences.list_known(db)
    licences.refresh(db, utcnow())
    assert licences.list_known(db)
    assert licences.states_by_licence(db, ["SIP3MI-00001", "SIP3MI-00002", "SIP3MI-09999"]) == {
        "SIP3MI-00001": LicenceState.ACTIVE, "SIP3MI-00002": LicenceState.REVOKED,
        "SIP3MI-09999": LicenceState.UNLISTED,
    }  # fmt: skip
    by_name = licences.states_by_name(
        db, ["sinar jaya abadi", "Duta Graha Insani", "PT Tidak Terdaftar"]
    )
    assert by_name["sinar jaya abadi"].state == LicenceState.ACTIVE
    assert by_name["Duta Graha Insani"] == ("SIP3MI-00002", LicenceState.REVOKED)
    assert by_name["PT Tidak Terdaftar"] == (None, LicenceState.UNLISTED)


def test_name_key_folds_legal_forms_and_punctuation() -> None:
    assert licences.name_key("PT. Sinar  Jaya-Abadi") == licences.name_key("sinar jaya abadi")
    assert licences.name_key("CV Mitra (Bersama)") == "mitra bersama"
