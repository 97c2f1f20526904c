"""The QR payload: round trip, tampering, wrong key, garbage, and its size on paper."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st

from peduli.documents import codec
from tests.documents.conftest import tampered

KEY = ec.generate_private_key(ec.SECP256R1())
FIELDS = codec.Fields(
    kind="self_report",
    number="LD-ABCDEFGH23",
    name="Siti Nurhaliza Binti Abdullah",
    birth_date=date(1994, 2, 11),
    post="kbri-seoul",
    issued_at=datetime(2026, 12, 6, 3, 0, tzinfo=UTC),
    expires_on=date(2027, 6, 4),
)


def _check(text: str, key: ec.EllipticCurvePrivateKey = KEY) -> codec.Signed | None:
    signed = codec.decode(text)
    public = key.public_key()
    if signed.kid != codec.key_id(public):
        return None
    return signed if codec.verify_es256(public, signed.to_be_signed, signed.signature) else None


def test_round_trip_gives_back_every_field_and_the_key_id() -> None:
    text = codec.encode(FIELDS, KEY)
    assert text.startswith("PDL1:")
    assert set(text[5:]) <= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
    signed = _check(text)
    assert signed is not None
    assert signed.fields == FIELDS
    assert signed.kid == codec.key_id(KEY.public_key()) and len(signed.kid) == 8


def test_a_changed_field_breaks_the_signature() -> None:
    text = codec.encode(FIELDS, KEY)
    forged = tampered(text)
    assert codec.decode(forged).fields.name == "Someone Else"
    assert _check(forged) is None


def test_another_key_does_not_verify() -> None:
    other = ec.generate_private_key(ec.SECP256R1())
    text = codec.encode(FIELDS, other)
    signed = codec.decode(text)
    assert not codec.verify_es256(KEY.public_key(), signed.to_be_signed, signed.signature)


@pytest.mark.parametrize(
    "garbage",
    ["", "PDL1:", "hello", "PDL1:hello world", "PDL1:" + "A" * 2000, "PDL1:::::", "PDL1:0000"],
)
def test_garbage_is_unreadable_not_an_error(garbage: str) -> None:
    with pytest.raises(codec.Unreadable):
        codec.decode(garbage)


@pytest.mark.fuzz
@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_after_the_prefix_is_read_or_refused_never_crashes(text: str) -> None:
    with contextlib.suppress(codec.Unreadable):
        codec.decode("PDL1:" + text)


_WORDS = ["Muhammad", "Siti", "Nur", "Aminah", "Abdurrahman", "Kusumawardhani", "Binti",
          "Bin", "Putri", "Wahyuningsih", "Setyaningrum", "Raden", "Ayu", "Hj.", "Dewi",
          "Sri", "Rahmawati", "Purnamasari", "Teuku", "Cut", "I", "Gusti", "Ngurah"]  # fmt: skip


@pytest.mark.fuzz
@settings(max_examples=100, deadline=None)
@given(
    words=st.lists(
        st.sampled_from(_WORDS) | st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=20),
        min_size=1,
        max_size=20,
    ),
    number=st.text("ABCDEFGHJKLMNPQRSTUVWXYZ23456789", min_size=10, max_size=10),
)
def test_a_long_indonesian_name_still_scans_from_paper(words: list[str], number: str) -> None:
    name = " ".join(words)[:200]  # the registry's longest name
    fields = codec.Fields(**{**FIELDS.__dict__, "name": name, "number": f"LD-{number}",
                             "post": "kjri-johor-bahru"})  # fmt: skip
    text = codec.encode(fields, KEY)
    assert len(text) <= 600
    assert codec.decode(text).fields.name == name[: codec.MAX_NAME]
