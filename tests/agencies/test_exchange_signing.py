"""Ed25519 signatures of the bilateral exchange: round trip, tampering, keys, the window."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peduli.agencies.exchange_signing import (
    KEY_ID_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    ExchangeSignatureRejected,
    public_key_of,
    sandbox_seed,
    sign,
    verify,
)

SEED, OTHER = sandbox_seed("test-a"), sandbox_seed("test-b")
KEYS = {"k1": public_key_of(SEED)}
bodies = st.binary(max_size=2000)
stamps = st.integers(min_value=0, max_value=4_000_000_000)


@given(body=bodies, timestamp=stamps, skew=st.integers(-300, 300))
def test_a_signed_message_verifies_in_the_window(body: bytes, timestamp: int, skew: int) -> None:
    headers = sign(SEED, key_id="k1", body=body, timestamp=timestamp)
    assert verify(headers, body, public_keys=KEYS, now=timestamp + skew, window=300) == "k1"


@given(body=bodies, changed=bodies, timestamp=stamps)
def test_a_changed_body_or_another_key_is_refused(
    body: bytes, changed: bytes, timestamp: int
) -> None:
    headers = sign(SEED, key_id="k1", body=body, timestamp=timestamp)
    if changed != body:
        with pytest.raises(ExchangeSignatureRejected, match="mismatch"):
            verify(headers, changed, public_keys=KEYS, now=timestamp, window=300)
    forged = sign(OTHER, key_id="k1", body=body, timestamp=timestamp)
    with pytest.raises(ExchangeSignatureRejected, match="mismatch"):
        verify(forged, body, public_keys=KEYS, now=timestamp, window=300)


@given(body=bodies, timestamp=stamps, late=st.integers(301, 10**7))
def test_an_old_message_is_stale(body: bytes, timestamp: int, late: int) -> None:
    headers = sign(SEED, key_id="k1", body=body, timestamp=timestamp)
    with pytest.raises(ExchangeSignatureRejected, match="stale"):
        verify(headers, body, public_keys=KEYS, now=timestamp + late, window=300)


@given(body=bodies, timestamp=stamps, shift=st.integers(1, 1000))
def test_a_restamped_message_is_refused(body: bytes, timestamp: int, shift: int) -> None:
    headers = sign(SEED, key_id="k1", body=body, timestamp=timestamp)
    headers[TIMESTAMP_HEADER] = str(timestamp + shift)
    with pytest.raises(ExchangeSignatureRejected, match="mismatch"):
        verify(headers, body, public_keys=KEYS, now=timestamp + shift, window=300)


@given(key=st.text(max_size=40), stamp=st.text(max_size=20), signature=st.text(max_size=120))
def test_any_headers_are_refused_cleanly(key: str, stamp: str, signature: str) -> None:
    headers = {KEY_ID_HEADER: key, TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: signature}
    with pytest.raises(ExchangeSignatureRejected) as refused:
        verify(headers, b"{}", public_keys={**KEYS, key: KEYS["k1"]}, now=0, window=300)
    assert refused.value.reason in {"missing", "malformed", "unknown_key", "stale", "mismatch"}


def test_an_unknown_key_id_is_refused() -> None:
    headers = sign(SEED, key_id="k2", body=b"{}", timestamp=100)
    with pytest.raises(ExchangeSignatureRejected, match="unknown_key"):
        verify(headers, b"{}", public_keys=KEYS, now=100, window=300)
