"""The webhook signature and its replay window, as a subscriber checks them."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peduli.agencies.webhook_signing import (
    REPLAY_WINDOW_SECONDS,
    SignatureRejected,
    digest,
    signature_header,
    verify,
)

secrets = st.text(min_size=1, max_size=60)
bodies = st.binary(max_size=2000)
stamps = st.integers(min_value=0, max_value=4_000_000_000)
skews = st.integers(min_value=-REPLAY_WINDOW_SECONDS, max_value=REPLAY_WINDOW_SECONDS)


@given(secret=secrets, body=bodies, timestamp=stamps, skew=skews)
def test_a_signed_delivery_verifies_anywhere_in_the_window(
    secret: str, body: bytes, timestamp: int, skew: int
) -> None:
    header = signature_header([secret], body, timestamp)
    assert verify(header, body, [secret], now=timestamp + skew) == timestamp


@given(
    secret=secrets,
    body=bodies,
    timestamp=stamps,
    late=st.integers(min_value=REPLAY_WINDOW_SECONDS + 1, max_value=10**7),
    sign=st.sampled_from([1, -1]),
)
def test_outside_the_window_it_is_stale(
    secret: str, body: bytes, timestamp: int, late: int, sign: int
) -> None:
    header = signature_header([secret], body, timestamp)
    with pytest.raises(SignatureRejected) as refused:
        verify(header, body, [secret], now=timestamp + sign * late)
    assert refused.value.reason == "stale"


@given(secret=secrets, other=secrets, body=bodies, changed=bodies, timestamp=stamps)
def test_another_body_or_secret_does_not_match(
    secret: str, other: str, body: bytes, changed: bytes, timestamp: int
) -> None:
    header = signature_header([secret], body, timestamp)
    if changed != body:
        with pytest.raises(SignatureRejected, match="mismatch"):
            verify(header, changed, [secret], now=timestamp)
    if other != secret:
        with pytest.raises(SignatureRejected, match="mismatch"):
            verify(header, body, [other], now=timestamp)


@given(secret=secrets, body=bodies, timestamp=stamps, shift=st.integers(1, 100))
def test_a_replayed_signature_cannot_be_moved_to_a_fresh_timestamp(
    secret: str, body: bytes, timestamp: int, shift: int
) -> None:
    """An attacker who re-stamps an old delivery cannot re-sign it."""
    old = digest(secret, timestamp, body)
    forged = f"t={timestamp + shift},v1={old}"
    with pytest.raises(SignatureRejected, match="mismatch"):
        verify(forged, body, [secret], now=timestamp + shift)


@given(secret=secrets, old=secrets, body=bodies, timestamp=stamps)
def test_during_a_rotation_either_secret_verifies(
    secret: str, old: str, body: bytes, timestamp: int
) -> None:
    header = signature_header([secret, old], body, timestamp)
    assert verify(header, body, [old], now=timestamp) == timestamp
    assert verify(header, body, [secret], now=timestamp) == timestamp


@given(header=st.text(max_size=200), body=bodies)
def test_any_header_is_refused_cleanly_or_verified(header: str, body: bytes) -> None:
    with pytest.raises(SignatureRejected) as refused:
        verify(header, body, ["s"], now=10**9)
    assert refused.value.reason in {"missing", "malformed", "stale", "mismatch"}


def test_no_header_is_missing() -> None:
    with pytest.raises(SignatureRejected, match="missing"):
        verify(None, b"{}", ["s"], now=0)


def test_the_documented_example_holds() -> None:
    """The worked example of docs/webhooks.md, signature and all."""
    body = (
        b'{"data":{"category":"detention","priority":"high","reference":"KL-2026-00042",'
        b'"representation_code":"kbri-kuala-lumpur","status":"new"},'
        b'"id":"evt_5b1c0e9d2a7f4c3b8e6d1a0f","occurred_at":"2026-12-06T03:00:00.123456+00:00",'
        b'"type":"case.opened"}'
    )
    header = "t=1796526000,v1=b546ddd2ddefb7897989b7293866fa84fa2ec59789cbd8d7e1c0e745fca4c27e"
    assert signature_header(["whsec_example"], body, 1796526000) == header
    assert verify(header, body, ["whsec_example"], now=1796526100) == 1796526000
    docs = (Path(__file__).parents[2] / "docs" / "webhooks.md").read_text()
    assert header.split(",")[1] in docs and body.decode() in docs
