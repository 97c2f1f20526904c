"""A stay without GPS is placed at its city's centre, marked approximate (registry.report_records
``placement``, registry.stays ``update_stay``)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.registry import service, stays
from peduli.registry.report_records import placement
from peduli.registry.schemas import StayUpdate
from tests.factories import report, staff


def test_a_self_report_without_gps_gets_its_citys_position_marked_approximate(
    db: Session,
) -> None:
    outcome = service.submit_self_report(
        db,
        report=report(country="MY", city="Tawau", latitude=None, longitude=None),
        actor=staff(representation_code="kri-tawau"),
    )
    db.commit()
    stay = outcome.stay
    assert stay.position_approximate is True
    assert stay.latitude == pytest.approx(4.245, abs=0.01)
    assert stay.longitude == pytest.approx(117.891, abs=0.01)
    assert stay.h3_cell is not None
    assert stay.representation_code == "kri-tawau"


def test_gps_given_is_kept_as_is_and_not_approximate(db: Session) -> None:
    outcome = service.submit_self_report(db, report=report(), actor=staff())
    db.commit()
    assert outcome.stay.position_approximate is False
    assert (outcome.stay.latitude, outcome.stay.longitude) == (37.5665, 126.978)


def test_an_alias_typed_as_the_city_is_placed_where_it_stands_for() -> None:
    place = placement("SA", "Mekah", None, None)
    assert place.approximate
    assert place.latitude == pytest.approx(21.43, abs=0.05)
    assert placement("MY", "JB", None, None).longitude == pytest.approx(103.76, abs=0.05)


def test_a_city_the_gazetteer_does_not_know_leaves_no_position() -> None:
    place = placement("MY", "Kampung Tiada Di Peta", None, None)
    assert (place.latitude, place.h3_cell, place.approximate) == (None, None, False)


def test_changing_the_city_moves_the_approximate_position_and_the_post(db: Session) -> None:
    admin = staff(Role.HQ_ADMIN)
    outcome = service.submit_self_report(
        db, report=report(country="MY", city="Tawau", latitude=None, longitude=None), actor=admin
    )
    before = outcome.stay.h3_cell
    stay = stays.update_stay(
        db, stay_id=outcome.stay.id, changes=StayUpdate(city="Johor Bahru"), actor=admin
    )
    assert stay.position_approximate is True
    assert stay.latitude == pytest.approx(1.466, abs=0.01)
    assert stay.h3_cell not in (None, before)
    assert stay.representation_code == "kjri-johor-bahru"


def test_a_move_without_gps_drops_the_old_gps_for_the_new_citys_centre(db: Session) -> None:
    admin = staff(Role.HQ_ADMIN)
    outcome = service.submit_self_report(db, report=report(), actor=admin)  # Seoul, by GPS
    stay = stays.update_stay(
        db, stay_id=outcome.stay.id, changes=StayUpdate(city="Busan"), actor=admin
    )
    assert stay.position_approximate is True
    assert stay.latitude == pytest.approx(35.10, abs=0.05)


def test_gps_given_later_replaces_the_approximate_position(db: Session) -> None:
    admin = staff(Role.HQ_ADMIN)
    outcome = service.submit_self_report(
        db, report=report(city="Busan", latitude=None, longitude=None), actor=admin
    )
    assert outcome.stay.position_approximate is True
    stay = stays.update_stay(
        db,
        stay_id=outcome.stay.id,
        changes=StayUpdate(latitude=35.1587, longitude=129.1604),
        actor=admin,
    )
    assert stay.position_approximate is False
    assert (stay.latitude, stay.longitude) == (35.1587, 129.1604)


def test_the_same_approximate_coordinates_sent_back_stay_approximate(db: Session) -> None:
    admin = staff(Role.HQ_ADMIN)
    outcome = service.submit_self_report(
        db, report=report(city="Busan", latitude=None, longitude=None), actor=admin
    )
    stay = outcome.stay
    resent = StayUpdate(latitude=stay.latitude, longitude=stay.longitude, purpose="study")
    stay = stays.update_stay(db, stay_id=stay.id, changes=resent, actor=admin)
    assert stay.position_approximate is True


def test_a_form_resending_the_same_place_keeps_the_gps(db: Session) -> None:
    admin = staff(Role.HQ_ADMIN)
    outcome = service.submit_self_report(db, report=report(), actor=admin)  # Seoul, by GPS
    resent = StayUpdate(country="KR", city="Seoul", latitude=37.5665, longitude=126.978)
    stay = stays.update_stay(db, stay_id=outcome.stay.id, changes=resent, actor=admin)
    assert (stay.latitude, stay.position_approximate) == (37.5665, False)


def test_a_state_typed_as_the_city_fills_the_subdivision(db: Session) -> None:
    outcome = service.submit_self_report(
        db,
        report=report(country="MY", city="Sabah", latitude=None, longitude=None),
        actor=staff(Role.HQ_ADMIN),
    )
    assert outcome.stay.subdivision == "MY-12"
    assert outcome.stay.representation_code == "kjri-kota-kinabalu"


def test_a_move_to_another_country_drops_the_old_subdivision(db: Session) -> None:
    admin = staff(Role.HQ_ADMIN)
    outcome = service.submit_self_report(db, report=report(), actor=admin)  # Seoul
    assert outcome.stay.subdivision == "KR-11"  # Seoul is a subdivision of its own
    stay = stays.update_stay(
        db,
        stay_id=outcome.stay.id,
        changes=StayUpdate(country="MY", city="Sabah", latitude=None, longitude=None),
        actor=admin,
    )
    assert (stay.subdivision, stay.representation_code) == ("MY-12", "kjri-kota-kinabalu")
