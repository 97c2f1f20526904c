"""Masked CSRF tokens: different bytes in every page, the same secret behind them."""

from __future__ import annotations

import secrets

from hypothesis import given
from hypothesis import strategies as st

from peduli.core.csrf import mask, unmask


def test_every_mask_differs_but_unmasks_to_the_token() -> None:
    token = secrets.token_urlsafe(32)
    first, second = mask(token), mask(token)
    assert first != second
    assert token not in first
    assert unmask(first) == unmask(second) == token


def test_raw_tokens_from_api_clients_pass_unchanged() -> None:
    token = secrets.token_urlsafe(32)
    assert unmask(token) == token


@given(
    st.text(
        alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
        min_size=1,
        max_size=64,
    )
)
def test_mask_round_trips_any_token(token: str) -> None:
    assert unmask(mask(token)) == token


def test_garbage_never_raises() -> None:
    assert unmask("m.!!!") == ""
