"""The lists the partner pages and API share: partners scoped to the caller's post."""

from __future__ import annotations

from sqlalchemy.orm import Session

from peduli.auth.actor import Actor
from peduli.partners import repository
from tests.partners.conftest import HQ_ADMIN, KL_OFFICER, SEOUL_OFFICER, make_partner


def test_lists_are_scoped_to_the_post_and_filtered(db: Session) -> None:
    make_partner(db)
    make_partner(db, name="Muslim Indonesia Busan", kind="religious_organisation",
                 subdivisions=["KR-26"], home_provinces=["32"])  # fmt: skip
    make_partner(db, actor=KL_OFFICER, name="Serikat Buruh Migran KL", country="MY",
                 subdivisions=[], contact_phone=None, kind="migrant_worker_union")  # fmt: skip
    total, rows = repository.list_partners(
        db, actor=SEOUL_OFFICER, filters=repository.PartnerFilters()
    )
    assert total == 2
    assert [v.partner.name for v in rows] == ["Muslim Indonesia Busan", "Paguyuban WNI Ansan"]
    total, rows = repository.list_partners(
        db, actor=SEOUL_OFFICER, filters=repository.PartnerFilters(home_province="35")
    )
    assert [v.partner.name for v in rows] == ["Paguyuban WNI Ansan"]
    total, _rows = repository.list_partners(
        db, actor=KL_OFFICER, filters=repository.PartnerFilters()
    )
    assert total == 1
    total, _rows = repository.list_partners(db, actor=HQ_ADMIN, filters=repository.PartnerFilters())
    assert total == 3
    total, _rows = repository.list_partners(
        db, actor=HQ_ADMIN, filters=repository.PartnerFilters(name="buruh")
    )
    assert total == 1


def test_a_case_goes_only_to_active_partners_of_its_post(db: Session) -> None:
    make_partner(db)
    make_partner(db, name="Muslim Indonesia Busan", kind="religious_organisation",
                 subdivisions=["KR-26"], home_provinces=["32"])  # fmt: skip
    make_partner(db, actor=KL_OFFICER, name="Serikat Buruh Migran KL", country="MY",
                 subdivisions=[], contact_phone=None, kind="migrant_worker_union")  # fmt: skip
    [busan] = [
        v.partner
        for v in repository.list_partners(
            db, actor=SEOUL_OFFICER, filters=repository.PartnerFilters(name="busan")
        )[1]
    ]
    busan.active = False
    db.flush()

    def names(actor: Actor, post: str) -> list[str]:
        return [p.name for p in repository.partners_of_post(db, actor=actor, post=post)]

    assert names(SEOUL_OFFICER, "kbri-seoul") == ["Paguyuban WNI Ansan"]
    assert names(SEOUL_OFFICER, "kbri-kuala-lumpur") == []
    assert names(HQ_ADMIN, "kbri-kuala-lumpur") == ["Serikat Buruh Migran KL"]
