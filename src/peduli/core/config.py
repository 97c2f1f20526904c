"""Settings read from the environment (``PEDULI_*``); only edges and wiring read them."""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

_DEV_SECRET = "peduli-development-secret-change-me"  # noqa: S105 (demo only; production sets PEDULI_SECRET_KEY)


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
    profile: str = "id"
    environment: str = "development"  # development | demo | production
    secret_key: str = _DEV_SECRET
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
    cookie_secure: bool = False
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_sender: str = "Peduli <no-reply@peduli.local>"
    sms_gateway_url: str = "http://127.0.0.1:8026/sms"
    sms_gateway_token: str = "sandbox"  # noqa: S105
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
    whatsapp_token: str = "sandbox"  # noqa: S105
    whatsapp_batch_size: int = 50
    log_level: str = "INFO"
    # Files kept by the application (case attachments under data_dir/attachments).
    data_dir: str = "var"
    case_attachment_max_bytes: int = 10 * 1024 * 1024
    # An emergency not acknowledged within this many minutes escalates (emergency domain).
    emergency_ack_minutes: int = 10
    # Retention (UU PDP): how long each class of data is kept once its purpose has ended;
    # `peduli worker` purges past these periods (`peduli retention run` on demand).
    retention_departed_stay_days: int = Field(default=365, ge=1)  # address, employer, position
    retention_outbox_days: int = Field(default=30, ge=1)  # recipient and body once sent or dead
    retention_session_days: int = Field(default=7, ge=0)  # sessions once expired or revoked
    retention_code_days: int = Field(default=1, ge=0)  # one-time codes once expired
    retention_sandbox_days: int = Field(default=7, ge=0)  # the demo mailboxes
    retention_batch_size: int = Field(default=5000, ge=1)  # rows per purge statement

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

    def audit_checkpoint_target(self) -> str:
        return self.audit_checkpoint_path or str(Path(self.data_dir) / "audit-checkpoint.json")


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings (cached; tests clear the cache)."""
    return Settings()
