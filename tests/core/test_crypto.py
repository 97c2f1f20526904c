"""Field sealing: the stored forms stay what earlier versions wrote (existing rows are
looked up by their blind indexes and opened from their tokens)."""

from __future__ import annotations

import base64
import hashlib
import hmac

from hypothesis import given
from hypothesis import strategies as st

from peduli.core import crypto


@given(data=st.binary(max_size=80))
def test_tokens_are_url_safe_base64_without_padding(data: bytes) -> None:
    assert crypto._b64(data) == base64.urlsafe_b64encode(data).rstrip(b"=").decode()
    assert crypto._unb64(crypto._b64(data)) == data


@given(value=st.text(max_size=40), purpose=st.sampled_from(["nik", "contact", "link-region"]))
def test_a_blind_index_is_the_hmac_sha256_of_purpose_and_value(value: str, purpose: str) -> None:
    cipher = crypto.get_cipher()
    expected = hmac.new(cipher.index_key, f"{purpose}:{value}".encode(), hashlib.sha256)

    assert cipher.blind_index(value, purpose=purpose) == expected.hexdigest()
    assert cipher.decrypt(cipher.encrypt(value, purpose=purpose), purpose=purpose) == value
