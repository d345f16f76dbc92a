"""Typed errors raised by the AuraSecurity client.

Every error body of the API is ``{"error": {"code": "<snake_case>", "message": "<text>"}}``;
:class:`AuraError` carries that ``code`` and ``message``, the HTTP ``status`` and, for 429
and 503 answers, ``retry_after`` (seconds, from the ``Retry-After`` header).
"""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Mapping
from typing import Any

__all__ = [
    "AuraError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "ValidationError",
    "RateLimitError",
    "ServiceUnavailableError",
    "ServerError",
    "APIConnectionError",
    "WaitTimeoutError",
    "WebhookVerificationError",
    "parse_retry_after",
]


class AuraError(Exception):
    """An error answered by the API (or met on the way to it).

    Attributes:
        code: the contract's snake_case code (``rate_limited``, ``invalid_target``, …);
            ``http_<status>`` when the body was not the contract's error body, and
            ``connection_error`` / ``timeout`` for failures without an answer.
        status: the HTTP status, or ``None`` when no answer arrived.
        message: the human-readable message.
        retry_after: seconds to wait before trying again (``Retry-After``), if given.
        headers: the response headers (empty without an answer).
        body: the decoded JSON body, or the raw text, or ``None``.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str,
        status: int | None = None,
        retry_after: float | None = None,
        headers: Mapping[str, str] | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.retry_after = retry_after
        self.headers: Mapping[str, str] = headers if headers is not None else {}
        self.body = body

    def __str__(self) -> str:
        where = f"HTTP {self.status} " if self.status is not None else ""
        return f"{where}{self.code}: {self.message}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code!r}, status={self.status!r}, "
            f"message={self.message!r}, retry_after={self.retry_after!r})"
        )


class AuthenticationError(AuraError):
    """401: missing, unknown, revoked or expired key."""


class PermissionDeniedError(AuraError):
    """403: suspended account, ``insufficient_scope``, ``origin_not_allowed``, ``forbidden``."""


class NotFoundError(AuraError):
    """404 ``not_found`` (also for another account's objects)."""


class ConflictError(AuraError):
    """409: ``email_taken``, ``key_limit_reached``, ``slug_taken``."""


class ValidationError(AuraError):
    """422: ``validation_failed``, ``invalid_target``, ``invalid_url``."""


class RateLimitError(AuraError):
    """429: ``rate_limited``, ``daily_quota_exceeded``, ``concurrent_scan_limit``, ``too_many_streams``."""


class ServiceUnavailableError(AuraError):
    """503: the database is unreachable, ``x_api_not_configured``, …"""


class ServerError(AuraError):
    """Any other 5xx."""


class APIConnectionError(AuraError):
    """No answer: refused connection, DNS failure, timeout."""


class WaitTimeoutError(AuraError):
    """``wait_for_result`` gave up before the scan finished (code ``timeout``)."""


class WebhookVerificationError(AuraError):
    """A webhook delivery failed verification (code ``invalid_signature``,
    ``timestamp_out_of_tolerance``, ``missing_signature`` or ``invalid_payload``)."""


_BY_STATUS: dict[int, type[AuraError]] = {
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: ValidationError,
    429: RateLimitError,
    503: ServiceUnavailableError,
}


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds: delta-seconds or an HTTP date; ``None`` when absent or bad."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        secs = float(value)
        return max(0.0, secs) if secs == secs else None  # NaN check
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def error_from_response(status: int, headers: Mapping[str, str], content: bytes) -> AuraError:
    """Builds the typed error of a non-2xx answer."""
    text = content.decode("utf-8", "replace")
    body: Any = text
    code = f"http_{status}"
    message = text.strip()[:500] or f"HTTP {status}"
    try:
        body = json.loads(text)
    except ValueError:
        pass
    if isinstance(body, dict):
        err = body.get("error")
        if isinstance(err, dict):
            if isinstance(err.get("code"), str):
                code = err["code"]
            if isinstance(err.get("message"), str):
                message = err["message"]
    cls = _BY_STATUS.get(status)
    if cls is None:
        cls = ServerError if status >= 500 else AuraError
    return cls(
        message,
        code=code,
        status=status,
        retry_after=parse_retry_after(headers.get("retry-after")),
        headers=headers,
        body=body,
    )
