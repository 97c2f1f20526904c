"""Settings read from the environment (``PEDULI_*``); only edges and wiring read them."""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

_DEV_SECRET = "peduli-development-secret-change-me"  # noqa: S105 (demo only; production sets PEDULI_SECRET_KEY)
_SANDBOX_TOKEN = "sandbox"  # noqa: S105 (the sandboxes' well-known token)
# Where plain HTTP is allowed; elsewhere (demo, staging, production): Secure cookies, HSTS.
DEVELOPMENT_ENVIRONMENTS = frozenset({"development", "test"})
# Where the development secrets and the sandboxes' tokens are allowed (``peduli demo`` runs
# on its sandboxes); every other environment must set its own (``check_environment``).
SANDBOX_ENVIRONMENTS = DEVELOPMENT_ENVIRONMENTS | {"demo"}
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _default_database_url() -> str:
    return f"sqlite:///{Path('var') / 'peduli.db'}"


def _derive_key(secret: str, purpose: str) -> str:
    """Derive a stable 32-byte key from the development secret, so a demo needs no set-up."""
    digest = hashlib.sha256(f"{purpose}:{secret}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


class Settings(BaseSettings):
    """Everything an operator can set, with defaults that run the embedded demo."""

    model_config = SettingsConfigDict(env_prefix="PEDULI_", env_file=".env", extra="ignore")

    database_url: str = Field(default_factory=_default_database_url)
    # A streaming replica for the reads that may lag by seconds (statistics, search, board
    # counts; docs/operations.md); empty: those reads go to database_url too.
    read_database_url: str = ""
    profile: str = "id"
    environment: str = "development"  # development | test | demo | production
    secret_key: str = _DEV_SECRET
    # A broadcast to more people than this is written by the worker, not in the request.
    crisis_inline_send_limit: int = 20_000
    # Where citizens reach this installation: the start of links in messages (crisis check-ins).
    public_url: str = "http://127.0.0.1:8000"
    # Data-encryption keys as "key_id:base64key" pairs, comma-separated; the first encrypts,
    # all decrypt, so keys can be rotated without downtime.
    data_keys: str = ""
    # Key of the keyed blind index (HMAC-SHA256) used for exact look-ups of NIK and passport.
    blind_index_key: str = ""
    # Key of the audit chain's HMAC-SHA256 (base64url, 32 bytes); it never enters the database,
    # so whoever can write there cannot forge or re-hash entries. It also signs the checkpoints.
    audit_key: str = ""
    # Where ``peduli worker`` writes the signed checkpoint of the audit chain heads (a file,
    # replaced each time, or a directory ending in "/" to keep one file per checkpoint);
    # empty: data_dir/audit-checkpoint.json. Keep it off the database's host.
    audit_checkpoint_path: str = ""
    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    citizen_session_idle_minutes: int = 60 * 24
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    otp_ttl_minutes: int = 10
    otp_max_per_address_per_hour: int = 5
    otp_max_per_ip_per_hour: int = 30
    token_default_days: int = 90
    # Secure flag on every cookie; unset: on everywhere but development and test.
    cookie_secure: bool | None = None
    # Addresses (CIDR, comma-separated) of the proxies whose X-Forwarded-For is believed.
    trusted_proxies: str = ""
    # Largest request body read, in bytes; attachment uploads have their own limit below.
    max_body_bytes: int = 1024 * 1024
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_sender: str = "Peduli <no-reply@peduli.local>"
    sms_gateway_url: str = "http://127.0.0.1:8026/sms"
    sms_gateway_token: str = _SANDBOX_TOKEN
    adapter_timeout_seconds: float = 5.0
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    sms_batch_size: int = 500  # messages per gateway request (providers cap a batch)
    notify_batch_size: int = 500
    notify_max_attempts: int = 8
    notify_retry_base_seconds: float = 5.0
    notify_retry_max_seconds: float = 900.0
    notify_lease_seconds: float = 300.0  # a row "sending" longer than this was orphaned
    notify_idle_seconds: float = 1.0
    # Senders per channel and their rate limits: "NAME=RATE[/BURST],…" (empty: no limit).
    sms_senders: str = "PEDULI=100"
    whatsapp_senders: str = "100000000001=80"
    # WhatsApp Cloud API (Graph): base URL with version, access token, messages per Graph
    # batch request (Meta allows 50; 1 sends one request per message; the sandbox takes 1000).
    whatsapp_api_url: str = "http://127.0.0.1:8027/v19.0"
    whatsapp_token: str = _SANDBOX_TOKEN
    whatsapp_batch_size: int = 50
    # The voice line (a Twilio-style platform): the auth token that signs its webhooks, and
    # the post that takes a call whose caller's place is unknown (a withheld number, an
    # Indonesian number roaming, a country no post serves).
    voice_auth_token: str = _SANDBOX_TOKEN
    voice_default_representation: str = "kbri-kuala-lumpur"
    # Where the sandbox telephony server listens (``peduli sandbox``, ``peduli demo``).
    voice_sandbox_url: str = "http://127.0.0.1:8028"
    # Telegram Bot API: base URL (the bot's token goes in the path, ``/bot<token>/…``), the
    # bot's token (from @BotFather), and its pace (Telegram allows a bot ~30 messages a second).
    telegram_api_url: str = "http://127.0.0.1:8029"
    telegram_bot_token: str = _SANDBOX_TOKEN
    telegram_senders: str = "bot=30"
    # Inbound WhatsApp (the conversations' webhook): the app secret that signs each webhook
    # (X-Hub-Signature-256) and the verify token Meta echoes when the webhook is set up.
    whatsapp_app_secret: str = _SANDBOX_TOKEN
    whatsapp_verify_token: str = _SANDBOX_TOKEN
    # Inbound Telegram: the secret_token given to setWebhook, sent back in every update.
    telegram_webhook_secret: str = _SANDBOX_TOKEN
    # Outside agencies: base URLs (the demo's sandboxes), shared token, the key signing the
    # message log (base64url, 32 bytes; empty: derived in development), the calls' pace.
    agency_civil_registry_url: str = "http://127.0.0.1:8030"
    agency_immigration_url: str = "http://127.0.0.1:8031"
    agency_bp2mi_url: str = "http://127.0.0.1:8032"
    agency_partner_state_url: str = "http://127.0.0.1:8033"
    agency_webhook_receiver_url: str = "http://127.0.0.1:8034"
    agency_token: str = _SANDBOX_TOKEN
    agency_log_key: str = ""
    agency_client: str = "ID-GOV/KEMLU/PEDULI"  # the caller the envelope names
    agency_timeout_seconds: float = 3.0
    agency_max_tries: int = Field(default=3, ge=1)
    agency_breaker_failures: int = Field(default=5, ge=1)  # failures in a row that open it
    agency_breaker_open_seconds: float = Field(default=30.0, ge=0)
    # The payment gateway of consular fees (virtual accounts): its API, the token we call it
    # with, and the secret that signs its payment notifications (HMAC-SHA256 of the body).
    payment_gateway_url: str = "http://127.0.0.1:8035"
    payment_gateway_token: str = _SANDBOX_TOKEN
    payment_webhook_secret: str = _SANDBOX_TOKEN
    # Largest document an applicant uploads for a consular service.
    service_document_max_bytes: int = 5 * 1024 * 1024
    log_level: str = "INFO"
    # "json" (one JSON object a line) or "console"; empty: JSON in production, else console.
    log_format: str = ""
    # Who may read /metrics (CIDR, comma-separated): the client's address as seen through
    # trusted_proxies. Prometheus scrapes from the internal network; nginx refuses the rest.
    metrics_networks: str = "127.0.0.0/8,::1/128"
    # Files kept by the application (case attachments under data_dir/attachments).
    data_dir: str = "var"
    case_attachment_max_bytes: int = 10 * 1024 * 1024
    import_max_bytes: int = 256 * 1024 * 1024  # an agency export (docs/agency-imports.md)
    # An emergency not acknowledged within this many minutes escalates (emergency domain).
    emergency_ack_minutes: int = 10
    # Retention (UU PDP): how long each class of data is kept once its purpose has ended;
    # `peduli worker` purges past these periods (`peduli retention run` on demand).
    retention_departed_stay_days: int = Field(default=365, ge=1)  # address, employer, position
    retention_outbox_days: int = Field(default=30, ge=1)  # recipient and body once sent or dead
    retention_session_days: int = Field(default=7, ge=0)  # sessions once expired or revoked
    retention_code_days: int = Field(default=1, ge=0)  # one-time codes once expired
    retention_sandbox_days: int = Field(default=7, ge=0)  # the demo mailboxes
    retention_draft_days: int = Field(default=7, ge=1)  # a lapor diri never sent, untouched
    # A voice call's number once the call is over and returned (nobody waits for a callback).
    retention_voice_call_days: int = Field(default=90, ge=1)
    # A chat with no message for this long (and no case still being worked) is deleted.
    retention_conversation_days: int = Field(default=365, ge=1)
    retention_batch_size: int = Field(default=5000, ge=1)  # rows per purge statement

    @property
    def is_development(self) -> bool:
        """Development or tests: plain HTTP and the built-in development secrets are allowed."""
        return self.environment in DEVELOPMENT_ENVIRONMENTS

    @property
    def secure_cookies(self) -> bool:
        """Whether cookies carry the Secure flag (sent over HTTPS only)."""
        return self.cookie_secure if self.cookie_secure is not None else not self.is_development

    @property
    def metrics_allowed_networks(self) -> tuple[Network, ...]:
        """The networks of ``metrics_networks``."""
        return _networks(self.metrics_networks)

    @property
    def trusted_proxy_networks(self) -> tuple[Network, ...]:
        """The networks of ``trusted_proxies``; a bad entry fails at start-up, naming it."""
        return _networks(self.trusted_proxies)

    def data_key_ring(self) -> list[tuple[str, bytes]]:
        """Return the (key id, key) pairs; the first one encrypts new values."""
        spec = self.data_keys or f"dev1:{_derive_key(self.secret_key, 'data')}"
        ring = []
        for item in spec.split(","):
            key_id, _, encoded = item.strip().partition(":")
            ring.append((key_id, base64.urlsafe_b64decode(encoded)))
        return ring

    def blind_index_secret(self) -> bytes:
        encoded = self.blind_index_key or _derive_key(self.secret_key, "blind-index")
        return base64.urlsafe_b64decode(encoded)

    def audit_secret(self) -> bytes:
        encoded = self.audit_key or _derive_key(self.secret_key, "audit")
        return base64.urlsafe_b64decode(encoded)

    def agency_log_secret(self) -> bytes:
        encoded = self.agency_log_key or _derive_key(self.secret_key, "agency-log")
        return base64.urlsafe_b64decode(encoded)

    def agency_url(self, agency: str) -> str:
        """The base URL of ``agency`` (``civil_registry``…), from ``PEDULI_AGENCY_<NAME>_URL``."""
        return str(getattr(self, f"agency_{agency}_url")).rstrip("/")

    def audit_checkpoint_target(self) -> str:
        return self.audit_checkpoint_path or str(Path(self.data_dir) / "audit-checkpoint.json")


class UnsafeConfiguration(RuntimeError):
    """The settings would run this environment unsafely; the message says what to set."""


@dataclass(frozen=True)
class SecretSetting:
    """A secret an installation outside development must set itself.

    ``problem`` returns why the current value is unusable (None when it is fine);
    ``generate`` returns a fresh value, or None when the value comes from a provider.
    """

    env: str
    how: str
    problem: Callable[[Settings], str | None]
    generate: Callable[[], str | None]


def _key_problem(encoded: str) -> str | None:
    try:
        key = base64.urlsafe_b64decode(encoded.encode())
    except (binascii.Error, ValueError):
        return "not base64url"
    return None if len(key) == 32 else f"{len(key)} bytes, 32 needed"


def _secret_key_problem(settings: Settings) -> str | None:
    if settings.secret_key == _DEV_SECRET:
        return "missing (the development default is in use)"
    if len(settings.secret_key) < 32:
        return f"{len(settings.secret_key)} characters, at least 32 needed"
    return None


def _data_keys_problem(settings: Settings) -> str | None:
    if not settings.data_keys.strip():
        return "missing (keys derived from the development secret are in use)"
    for item in settings.data_keys.split(","):
        key_id, colon, encoded = item.strip().partition(":")
        problem = "no KEY_ID: prefix" if not (colon and key_id) else _key_problem(encoded)
        if problem:
            return f"key {key_id or item.strip()[:8]!r}: {problem}"
    return None


def _single_key_problem(name: str) -> Callable[[Settings], str | None]:
    """The problem of a one-key setting (blind index, audit) that development derives."""

    def problem(settings: Settings) -> str | None:
        value = getattr(settings, name).strip()
        if not value:
            return "missing (a key derived from the development secret is in use)"
        found = _key_problem(value)
        return found and f"the key is {found}"

    return problem


def _token_problem(name: str) -> Callable[[Settings], str | None]:
    def problem(settings: Settings) -> str | None:
        value = getattr(settings, name)
        return "missing (the sandbox's token is in use)" if value in ("", _SANDBOX_TOKEN) else None

    return problem


def _random_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


# Every secret ``check_environment`` asks for and ``peduli keys generate`` prints, in order.
# A new secret setting is one more entry here.
SECRET_SETTINGS: list[SecretSetting] = [
    SecretSetting(
        "PEDULI_SECRET_KEY",
        "a random string of at least 32 characters (signs enrolment tokens, proofs, links)",
        _secret_key_problem,
        lambda: secrets.token_urlsafe(48),
    ),
    SecretSetting(
        "PEDULI_DATA_KEYS",
        "KEY_ID:KEY pairs, the key 32 random bytes in base64url (encrypts NIK and passports)",
        _data_keys_problem,
        lambda: f"k{datetime.now(UTC):%Y%m%d}:{_random_key()}",
    ),
    SecretSetting(
        "PEDULI_BLIND_INDEX_KEY",
        "32 random bytes in base64url (keys the look-up index of NIK and passports)",
        _single_key_problem("blind_index_key"),
        _random_key,
    ),
    SecretSetting(
        "PEDULI_AUDIT_KEY",
        "32 random bytes in base64url (keys the audit chain and signs its checkpoints; keep "
        "it off the database host)",
        _single_key_problem("audit_key"),
        _random_key,
    ),
    SecretSetting(
        "PEDULI_SMS_GATEWAY_TOKEN",
        "the token agreed with the SMS gateway (it also comes with the SMS replies it posts)",
        _token_problem("sms_gateway_token"),
        lambda: secrets.token_urlsafe(32),
    ),
    SecretSetting(
        "PEDULI_VOICE_AUTH_TOKEN",
        "the auth token of the voice platform's account (it signs the voice line's webhooks)",
        _token_problem("voice_auth_token"),
        lambda: None,
    ),
    SecretSetting(
        "PEDULI_PAYMENT_GATEWAY_TOKEN",
        "the API token the payment gateway issued for opening virtual accounts",
        _token_problem("payment_gateway_token"),
        lambda: None,
    ),
    SecretSetting(
        "PEDULI_PAYMENT_WEBHOOK_SECRET",
        "the secret shared with the payment gateway that signs its payment notifications",
        _token_problem("payment_webhook_secret"),
        lambda: secrets.token_urlsafe(32),
    ),
    SecretSetting(
        "PEDULI_WHATSAPP_TOKEN",
        "the access token of the WhatsApp Business account (a system user's token in Meta "
        "Business settings)",
        _token_problem("whatsapp_token"),
        lambda: None,
    ),
    SecretSetting(
        "PEDULI_TELEGRAM_BOT_TOKEN",
        "the token @BotFather gave the ministry's Telegram bot",
        _token_problem("telegram_bot_token"),
        lambda: None,
    ),
    SecretSetting(
        "PEDULI_WHATSAPP_APP_SECRET",
        "the app secret of the Meta app (App settings, Basic): it signs the inbound webhooks",
        _token_problem("whatsapp_app_secret"),
        lambda: None,
    ),
    SecretSetting(
        "PEDULI_WHATSAPP_VERIFY_TOKEN",
        "any random string, typed again in the Meta app's webhook set-up",
        _token_problem("whatsapp_verify_token"),
        lambda: secrets.token_urlsafe(32),
    ),
    SecretSetting(
        "PEDULI_TELEGRAM_WEBHOOK_SECRET",
        "the secret_token given to the Telegram bot's setWebhook (letters, digits, _ and -)",
        _token_problem("telegram_webhook_secret"),
        lambda: secrets.token_urlsafe(32),
    ),
    SecretSetting(
        "PEDULI_AGENCY_LOG_KEY",
        "32 random bytes in base64url (signs the message log of every exchange with an "
        "outside agency)",
        _single_key_problem("agency_log_key"),
        _random_key,
    ),
    SecretSetting(
        "PEDULI_AGENCY_TOKEN",
        "the token agreed with the agencies' gateway (civil registry, immigration, BP2MI)",
        _token_problem("agency_token"),
        lambda: secrets.token_urlsafe(32),
    ),
]


def check_environment(settings: Settings) -> None:
    """Refuse to run outside development with a missing or development secret.

    Raises ``UnsafeConfiguration`` naming every such setting at once, and how to make it.
    """
    if settings.environment in SANDBOX_ENVIRONMENTS:
        return
    problems = [
        (secret, problem)
        for secret in SECRET_SETTINGS
        if (problem := secret.problem(settings)) is not None
    ]
    settings.trusted_proxy_networks  # noqa: B018 - a bad entry raises here, at start-up
    if not problems:
        return
    lines = [
        f"PEDULI_ENVIRONMENT={settings.environment} needs secrets of its own; "
        f"{len(problems)} setting(s) are missing or development defaults:"
    ]
    lines += [f"  - {s.env}: {problem}. Set it to {s.how}." for s, problem in problems]
    lines.append(
        "Run `peduli keys generate` for fresh values, put them in the environment "
        "(or the .env file) of every process, and start again."
    )
    raise UnsafeConfiguration("\n".join(lines))


@lru_cache(maxsize=8)
def _networks(spec: str) -> tuple[Network, ...]:
    networks = []
    for item in spec.split(","):
        if item.strip():
            try:
                networks.append(ipaddress.ip_network(item.strip(), strict=False))
            except ValueError as error:
                raise UnsafeConfiguration(
                    f"PEDULI_TRUSTED_PROXIES: {item.strip()!r} is not an address or CIDR "
                    "network; write e.g. 10.0.0.0/8,192.0.2.7"
                ) from error
    return tuple(networks)


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings (cached; tests clear the cache)."""
    return Settings()
