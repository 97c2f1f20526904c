"""The configuration reference (``docs/configuration.md``), written from the settings class.

Each setting's meaning is the comment above it (or at the end of its line) in
``core/config.py``, where whoever adds a setting writes it anyway; the name, type and
default come from the class itself. ``peduli config reference`` prints it, and a test fails
when the committed file no longer matches the code.
"""

from __future__ import annotations

import ast
import inspect
from typing import Any

from pydantic.fields import FieldInfo

from peduli.core import config
from peduli.core.config import SECRET_SETTINGS, Settings

HEADER = """# Configuration reference

Generated from `peduli.core.config.Settings` by `peduli config reference > docs/configuration.md`;
do not edit by hand (a test compares it with the code). Every setting is an environment
variable (or a line of `.env`). Secrets have no safe default: outside development and test,
`peduli serve` and `peduli worker` refuse to start on the development values
(`peduli keys generate` makes fresh ones; docs/security.md). How the settings fit together:
docs/operations.md.

| variable | type | default | meaning |
| --- | --- | --- | --- |
"""


# The settings whose line in core/config.py has no comment (their names say most of it).
UNCOMMENTED = {
    "database_url": "The primary database: `postgresql://…` in production, SQLite for a demo.",
    "profile": "The country profile (reference/profiles/): identifiers, posts, languages.",
    "secret_key": "Signs enrolment tokens, proofs and links; set a long random value.",
    "session_idle_minutes": "A staff session ends after this long without a request.",
    "session_absolute_hours": "A staff session ends this long after sign-in, whatever its use.",
    "citizen_session_idle_minutes": "A citizen's session ends after this long unused.",
    "login_max_failures": "Wrong passwords in a row that lock a staff account…",
    "login_lockout_minutes": "…for this long.",
    "otp_ttl_minutes": "How long a one-time sign-in code is valid.",
    "otp_max_per_address_per_hour": "Codes sent to one phone or e-mail address per hour.",
    "otp_max_per_ip_per_hour": "Codes asked for from one client address per hour.",
    "token_default_days": "Lifetime of an API token created without an end date.",
    "smtp_host": "The mail relay (the sandbox by default).",
    "smtp_sender": "The From address of e-mail.",
    "sms_gateway_url": "The SMS provider's batch endpoint (the sandbox by default).",
    "sms_gateway_token": "Bearer token for the SMS provider; it also signs its webhooks.",
    "adapter_timeout_seconds": "Time-out of one call to a message provider.",
    "smtp_username": "The mail relay's account, if it wants one.",
    "notify_batch_size": "Messages a worker claims per channel per turn.",
    "notify_max_attempts": "Attempts before a message becomes a dead letter.",
    "notify_retry_base_seconds": "First retry delay, doubled each attempt, with jitter…",
    "notify_retry_max_seconds": "…up to this.",
    "notify_idle_seconds": "How often an idle worker looks for due messages.",
    "whatsapp_token": "Access token of the WhatsApp Cloud API.",
    "agency_log_key": "Key of the HMAC chain of the agencies' message log.",
    "log_level": "Lowest level logged: DEBUG, INFO, WARNING, ERROR.",
    "case_attachment_max_bytes": "Largest file attached to a case.",
}


def setting_comments() -> dict[str, str]:
    """The comment that explains each field of ``Settings``, by field name."""
    source = inspect.getsource(config)
    lines = source.splitlines()
    tree = ast.parse(source)
    settings = next(
        node
        for node in tree.body
        if isinstance(node, ast.ClassDef) and node.name == Settings.__name__
    )
    comments: dict[str, str] = {}
    group: str | None = None  # the first field under a comment that explains a run of fields
    for node in settings.body:
        if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)):
            group = None
            continue
        name = node.target.id
        above: list[str] = []
        index = node.lineno - 2  # the line above, 0-based
        while index >= 0 and lines[index].strip().startswith("#"):
            above.insert(0, lines[index].strip().lstrip("#").strip())
            index -= 1
        end = lines[(node.end_lineno or node.lineno) - 1]
        trailing = end.split("  # ", 1)[1].strip() if "  # " in end else ""
        if trailing.startswith("noqa"):
            trailing = ""
        if not lines[node.lineno - 2].strip():  # a blank line ends a run
            group = None
        if above:
            group = name
        meaning = " ".join(part for part in (*above, trailing) if part)
        if not meaning and group is not None:
            meaning = f"With `PEDULI_{group.upper()}`, above."
        comments[name] = meaning or UNCOMMENTED.get(name, "")
    return comments


def _default(name: str, field: FieldInfo) -> str:
    variable = "PEDULI_" + name.upper()
    if any(secret.env == variable for secret in SECRET_SETTINGS):
        return "(development value)"
    value: Any = field.get_default(call_default_factory=True)
    if value is None:
        return "unset"
    if value == "":
        return "empty"
    return f"`{value}`"


def _type(field: FieldInfo) -> str:
    annotation = field.annotation
    name = getattr(annotation, "__name__", None) or str(annotation)
    return str(name).replace("typing.", "").replace("|", "or")


def reference() -> str:
    """The whole reference as Markdown, one row per setting in the class's order."""
    comments = setting_comments()
    rows = []
    for name, field in Settings.model_fields.items():
        meaning = comments.get(name, "").replace("|", "\\|")
        rows.append(
            f"| `PEDULI_{name.upper()}` | {_type(field)} | {_default(name, field)} | {meaning} |"
        )
    return HEADER + "\n".join(rows) + "\n"
