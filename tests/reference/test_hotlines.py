"""Hotline data: valid numbers with a cited source, and docs/hotlines.md lists the rest."""

from __future__ import annotations

import re
from pathlib import Path

import phonenumbers
import pytest

from peduli.reference import representations as reps
from peduli.reference.places import directory

DOC = Path(__file__).resolve().parents[2] / "docs" / "hotlines.md"
LISTED = re.compile(r"^- `([a-z0-9-]+)`", re.MULTILINE)


def test_every_hotline_is_a_valid_number_of_its_posts_country() -> None:
    for post in directory().all():
        if post.hotline is None:
            continue
        number = phonenumbers.parse(post.hotline)
        assert phonenumbers.is_valid_number(number), post.code
        assert phonenumbers.region_code_for_number(number) == post.country, post.code


def test_cited_hotlines_name_their_source() -> None:
    cited = [p for p in directory().all() if p.hotline_source]
    assert len(cited) >= 40
    assert all(p.hotline and p.hotline_source.startswith("http") for p in cited)
    # A 24-hour mark only with a source that says so.
    assert all(p.hotline_source for p in directory().all() if p.hotline_verified)


def test_the_docs_list_exactly_the_posts_without_a_cited_hotline() -> None:
    listed = set(LISTED.findall(DOC.read_text("utf-8")))
    uncited = {p.code for p in directory().all() if not p.hotline_source}
    assert listed == uncited


def _document(**post: object) -> dict[str, object]:
    base = {
        "code": "kbri-seoul",
        "name": "KBRI Seoul",
        "kind": "kbri",
        "country": "KR",
        "city": "Seoul",
        "latitude": 37.5,
        "longitude": 127.0,
        "timezone": "Asia/Seoul",
        "jurisdiction": [{"country": "KR"}],
    }
    return {"representations": [base | post]}


@pytest.mark.parametrize(
    ("post", "fault"),
    [
        ({"hotline": "+8210123"}, "valid E.164"),
        ({"hotline": "+821053942546", "hotline_source": "kemlu"}, "http(s) address"),
        ({"hotline": "+821053942546", "hotline_verified": True}, "needs the hotline_source"),
        ({"hotline_source": "https://example.org"}, "without a hotline"),
    ],
)
def test_bad_hotline_data_is_refused_at_load(post: dict[str, object], fault: str) -> None:
    with pytest.raises(reps.DirectoryInvalid, match=re.escape(fault)):
        reps.build_directory(_document(**post), name="test.json")


def test_a_cited_hotline_loads() -> None:
    document = _document(hotline="+821053942546", hotline_source="https://example.org/a")
    post = reps.build_directory(document, name="test.json").get("kbri-seoul")
    assert post.hotline_source == "https://example.org/a"
