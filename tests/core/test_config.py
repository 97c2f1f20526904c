"""Outside development the installation refuses development secrets, naming each one."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from peduli.cli.main import app
from peduli.core.config import (
    SECRET_SETTINGS,
    Settings,
    UnsafeConfiguration,
    check_environment,
)

ALL_SECRETS = {
    "PEDULI_SECRET_KEY",
    "PEDULI_DATA_KEYS",
    "PEDULI_BLIND_INDEX_KEY",
    "PEDULI_SMS_GATEWAY_TOKEN",
    "PEDULI_WHATSAPP_TOKEN",
    "PEDULI_TELEGRAM_BOT_TOKEN",
    "PEDULI_WHATSAPP_APP_SECRET",
    "PEDULI_WHATSAPP_VERIFY_TOKEN",
    "PEDULI_TELEGRAM_WEBHOOK_SECRET",
}
# Issued by the platforms: ``peduli keys generate`` cannot make these up.
PROVIDER_ISSUED = {
    "whatsapp_token": "EAAG-provider-issued",
    "whatsapp_app_secret": "3f9a0c2b7d",
    "telegram_bot_token": "123:AAH-bot",
    "voice_auth_token": "provider-issued",
    "payment_gateway_token": "gateway-issued",
}


def _generated() -> dict[str, str]:
    result = CliRunner().invoke(app, ["keys", "generate"])
    assert result.exit_code == 0, result.output
    return dict(re.findall(r"^(PEDULI_[A-Z_]+)=(.+)$", result.stdout, flags=re.MULTILINE))


def _production(**values: str) -> Settings:
    return Settings(_env_file=None, environment="production", **values)  # type: ignore[call-arg]


def test_production_on_development_defaults_names_every_missing_secret() -> None:
    with pytest.raises(UnsafeConfiguration) as refused:
        check_environment(_production())
    message = str(refused.value)
    for name in ALL_SECRETS:
        assert f"- {name}:" in message
    assert "peduli keys generate" in message


def test_development_test_and_demo_run_on_the_built_in_secrets() -> None:
    for environment in ("development", "test", "demo"):
        check_environment(Settings(_env_file=None, environment=environment))  # type: ignore[call-arg]


def test_generated_values_satisfy_the_check() -> None:
    values = _generated()
    provider_issued = {f"PEDULI_{name.upper()}" for name in PROVIDER_ISSUED}
    assert set(values) == {s.env for s in SECRET_SETTINGS} - provider_issued
    fields = {name.removeprefix("PEDULI_").lower(): value for name, value in values.items()}
    check_environment(_production(**fields, **PROVIDER_ISSUED))
    assert _generated() != values  # fresh every time


def test_one_weak_secret_is_named_alone() -> None:
    fields = {k.removeprefix("PEDULI_").lower(): v for k, v in _generated().items()}
    fields["blind_index_key"] = "c2hvcnQ="  # 5 bytes
    with pytest.raises(UnsafeConfiguration) as refused:
        check_environment(_production(**fields, **PROVIDER_ISSUED))
    assert re.findall(r"- (PEDULI_\w+):", str(refused.value)) == ["PEDULI_BLIND_INDEX_KEY"]
    assert "5 bytes, 32 needed" in str(refused.value)


def test_the_app_and_the_worker_refuse_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    from peduli.api.app import create_app
    from peduli.core.config import get_settings

    monkeypatch.setattr(get_settings(), "environment", "production")
    with pytest.raises(UnsafeConfiguration):
        create_app()
    refused = CliRunner().invoke(app, ["worker", "--once"])
    assert refused.exit_code == 1
    assert "PEDULI_SECRET_KEY" in refused.output


def test_secure_cookies_and_hsts_follow_the_environment() -> None:
    assert not Settings(_env_file=None, environment="development").secure_cookies  # type: ignore[call-arg]
    assert not Settings(_env_file=None, environment="test").secure_cookies  # type: ignore[call-arg]
    assert Settings(_env_file=None, environment="demo").secure_cookies  # type: ignore[call-arg]
    assert _production().secure_cookies
    assert not _production(cookie_secure="false").secure_cookies
