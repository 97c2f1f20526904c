"""ASGI middleware every response and request passes: security headers, body limits.

Pure ASGI (no ``BaseHTTPMiddleware``): they wrap ``send`` and ``receive`` and never buffer
a body, so streaming responses and uploads stay streams.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from peduli.core.config import Settings
from peduli.core.i18n import _

# No inline script or style anywhere: pages load /static files only. Images may be data:
# URLs (the TOTP enrolment QR code). Forms post to this site only; no one frames us.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# FastAPI's interactive API docs load Swagger UI / ReDoc from a CDN with an inline start-up
# script; development only. Elsewhere they get the policy above (and do not run).
DEVELOPMENT_DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com "
    "https://cdn.redoc.ly; worker-src blob:; frame-ancestors 'none'"
)
DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})
PERMISSIONS_POLICY = (
    "geolocation=(self), camera=(), microphone=(), payment=(), usb=(), "
    "interest-cohort=(), browsing-topics=()"
)
HSTS = "max-age=63072000; includeSubDomains"  # two years


def security_headers(settings: Settings) -> list[tuple[bytes, bytes]]:
    """The headers every response carries (unless the route set its own)."""
    headers = [
        (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
        (b"x-content-type-options", b"nosniff"),
        # Check-in links carry their credential in the path: never send it to another site.
        (b"referrer-policy", b"same-origin"),
        (b"permissions-policy", PERMISSIONS_POLICY.encode()),
        (b"x-frame-options", b"DENY"),  # frame-ancestors for browsers without CSP 2
        (b"cross-origin-opener-policy", b"same-origin"),
    ]
    if not settings.is_development:
        headers.append((b"strict-transport-security", HSTS.encode()))
    return headers


class SecurityHeaders:
    """Add the security headers to every HTTP response; mark cookies Secure outside development."""

    def __init__(self, app: ASGIApp, settings: Callable[[], Settings]) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = self.settings()
        defaults = security_headers(settings)
        if settings.is_development and scope["path"] in DOCS_PATHS:
            defaults[0] = (b"content-security-policy", DEVELOPMENT_DOCS_POLICY.encode())
        secure = settings.secure_cookies

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _value in headers}
                headers += [(name, value) for name, value in defaults if name not in present]
                if secure:
                    headers = [_secure_cookie(name, value) for name, value in headers]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _secure_cookie(name: bytes, value: bytes) -> tuple[bytes, bytes]:
    if name.lower() == b"set-cookie" and b"; secure" not in value.lower():
        return name, value + b"; Secure"
    return name, value


class BodyTooLarge(Exception):
    """The request body went past its limit; the middleware answers 413."""


# Where agency exports are uploaded (``agencies.api``, ``agencies.pages.staff``).
IMPORT_UPLOADS = frozenset({"/api/v1/imports", "/hq/imports"})


class BodyLimit:
    """Refuse request bodies over their limit before anything parses them.

    A declared ``Content-Length`` over the limit is answered at once, without reading; a
    body streamed without one (chunked) is counted as it arrives, and the chunk that goes
    past the limit is never handed on: the request ends with 413 instead. Limits: JSON and
    forms ``PEDULI_MAX_BODY_BYTES`` (1 MB); a case attachment upload
    ``PEDULI_CASE_ATTACHMENT_MAX_BYTES`` plus room for the multipart envelope; an agency
    export ``PEDULI_IMPORT_MAX_BYTES``.
    """

    MULTIPART_ENVELOPE = 64 * 1024
    SERVICE_UPLOADS = ("/api/v1/applications", "/layanan/")

    def __init__(self, app: ASGIApp, settings: Callable[[], Settings]) -> None:
        self.app = app
        self.settings = settings

    def limit(self, scope: Scope) -> int:
        """The most bytes this request's body may have."""
        settings = self.settings()
        content_type = _header(scope, b"content-type") or b""
        if scope["path"].endswith("/attachments") and content_type.startswith(
            b"multipart/form-data"
        ):
            return settings.case_attachment_max_bytes + self.MULTIPART_ENVELOPE
        if scope["path"].startswith(self.SERVICE_UPLOADS) and content_type.startswith(
            b"multipart/form-data"
        ):
            # An application for a consular service with its documents (a few files).
            return settings.service_document_max_bytes * 4 + self.MULTIPART_ENVELOPE
        if scope["path"] in IMPORT_UPLOADS and content_type.startswith(b"multipart/form-data"):
            return settings.import_max_bytes + self.MULTIPART_ENVELOPE
        return settings.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit(scope)
        declared = _header(scope, b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _too_large(send, limit)
            return
        received = 0
        refused = False
        started = False

        async def counted_receive() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:  # whatever the app made of the interrupted read, the answer is 413
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            if not refused:  # an error of the app's own, not the interrupted read
                raise
        if refused and not started:
            await _too_large(send, limit)


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key.lower() == name:
            return bytes(value)
    return None


async def _too_large(send: Send, limit: int) -> None:
    detail = _("The request is larger than {limit} bytes. Send less data, or a smaller file.")
    body = json.dumps(
        {
            "type": "https://peduli.dev/problems/body_too_large",
            "title": "Payload too large",
            "status": 413,
            "detail": str(detail.format(limit=limit)),
            "code": "body_too_large",
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
