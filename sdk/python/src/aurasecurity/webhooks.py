"""Verifying AuraSecurity webhook deliveries (both signature schemes).

Every delivery carries two independent signatures over the **raw** request body:

* ``X-AuraSecurity-Signature: sha256=<hex>``: HMAC-SHA256 of the body keyed with the whole
  secret string (``whsec_…`` included); ``X-AuraSecurity-Timestamp`` is the attempt's time.
* Standard Webhooks: ``webhook-signature: v1,<base64>``: HMAC-SHA256 of
  ``"{webhook-id}.{webhook-timestamp}.{body}"`` keyed with the base64-decoded bytes after
  ``whsec_``. The timestamp is signed, so this scheme also stops replays.

During a secret rotation's grace period each header carries two space-separated
signatures; one valid signature is enough.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Iterable, Mapping
from typing import Any, Literal, Union, cast

from .errors import WebhookVerificationError
from .types import WebhookPayload

__all__ = ["verify_webhook", "sign_aura", "sign_standard"]

HeadersLike = Union[Mapping[str, str], Iterable[tuple[str, str]]]
Scheme = Literal["auto", "both", "aura", "standard"]


def _lower_headers(headers: HeadersLike) -> dict[str, str]:
    items: Iterable[tuple[str, str]]
    if isinstance(headers, Mapping):
        items = headers.items()
    else:
        items = headers
    out: dict[str, str] = {}
    for k, v in items:
        k = k.decode("latin-1") if isinstance(k, bytes) else str(k)
        v = v.decode("latin-1") if isinstance(v, bytes) else str(v)
        out[k.lower()] = v
    return out


def _secret_bytes(secret: str) -> bytes:
    raw = secret[len("whsec_"):] if secret.startswith("whsec_") else secret
    try:
        return base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError) as e:
        raise ValueError("the webhook secret is not whsec_ followed by base64") from e


def sign_aura(secret: str, body: bytes) -> str:
    """The ``X-AuraSecurity-Signature`` value of ``body`` under ``secret``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def sign_standard(secret: str, msg_id: str, timestamp: int | str, body: bytes) -> str:
    """The ``webhook-signature`` value (Standard Webhooks ``v1``) of ``body`` under ``secret``."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(_secret_bytes(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def _any_matches(header: str, expected: list[str]) -> bool:
    ok = False
    for sig in header.split():
        for exp in expected:
            # Check every pair (no early exit) so timing says nothing about which matched.
            ok |= hmac.compare_digest(sig.encode(), exp.encode())
    return ok


def _check_timestamp(value: str, tolerance_secs: float, now: float, header: str) -> None:
    try:
        ts = int(value.strip())
    except ValueError:
        raise WebhookVerificationError(
            f"{header} is not a unix timestamp", code="invalid_timestamp"
        ) from None
    if abs(now - ts) > tolerance_secs:
        raise WebhookVerificationError(
            f"{header} {ts} is more than {tolerance_secs:g} s from now ({int(now)}): a replay or a clock problem",
            code="timestamp_out_of_tolerance",
        )


def verify_webhook(
    raw_body: bytes | str,
    headers: HeadersLike,
    secret: str | Iterable[str],
    *,
    tolerance_secs: float = 300,
    scheme: Scheme = "auto",
    now: float | None = None,
) -> WebhookPayload:
    """Verifies a delivery and returns its decoded JSON body.

    Args:
        raw_body: the request body exactly as received (bytes; never re-serialised JSON).
        headers: the request headers (any mapping or list of pairs; names are matched
            case-insensitively).
        secret: the account's webhook secret (``whsec_…``), or several (say, the old and
            the new one while you switch after a rotation): any one may have signed.
        tolerance_secs: how far the delivery's timestamp may be from ``now``.
        scheme: ``"auto"`` (default) checks every scheme whose headers are present and
            needs at least one; ``"both"`` requires both; ``"aura"`` or ``"standard"``
            check only that one.
        now: the current unix time (for tests; default ``time.time()``).

    Raises:
        WebhookVerificationError: with ``code`` ``missing_signature``,
            ``invalid_signature``, ``timestamp_out_of_tolerance``, ``invalid_timestamp``
            or ``invalid_payload``.
    """
    body = raw_body.encode() if isinstance(raw_body, str) else bytes(raw_body)
    secrets = [secret] if isinstance(secret, str) else list(secret)
    if not secrets:
        raise ValueError("no webhook secret given")
    h = _lower_headers(headers)
    now = time.time() if now is None else now

    aura_sig = h.get("x-aurasecurity-signature")
    std_sig = h.get("webhook-signature")
    want_aura = scheme in ("aura", "both") or (scheme == "auto" and aura_sig is not None)
    want_std = scheme in ("standard", "both") or (scheme == "auto" and std_sig is not None)
    if not want_aura and not want_std:
        raise WebhookVerificationError(
            "no X-AuraSecurity-Signature or webhook-signature header", code="missing_signature"
        )

    if want_std:
        msg_id, ts = h.get("webhook-id"), h.get("webhook-timestamp")
        if not std_sig or not msg_id or not ts:
            raise WebhookVerificationError(
                "webhook-id, webhook-timestamp and webhook-signature are required",
                code="missing_signature",
            )
        _check_timestamp(ts, tolerance_secs, now, "webhook-timestamp")
        expected = [sign_standard(s, msg_id, ts.strip(), body) for s in secrets]
        if not _any_matches(std_sig, expected):
            raise WebhookVerificationError(
                "webhook-signature does not match the body", code="invalid_signature"
            )

    if want_aura:
        if not aura_sig:
            raise WebhookVerificationError(
                "X-AuraSecurity-Signature is missing", code="missing_signature"
            )
        ts = h.get("x-aurasecurity-timestamp")
        if ts is not None:
            _check_timestamp(ts, tolerance_secs, now, "X-AuraSecurity-Timestamp")
        expected = [sign_aura(s, body) for s in secrets]
        if not _any_matches(aura_sig, expected):
            raise WebhookVerificationError(
                "X-AuraSecurity-Signature does not match the body", code="invalid_signature"
            )

    try:
        payload: Any = json.loads(body)
    except ValueError:
        raise WebhookVerificationError("the body is not JSON", code="invalid_payload") from None
    if not isinstance(payload, dict):
        raise WebhookVerificationError("the body is not a JSON object", code="invalid_payload")
    return cast(WebhookPayload, payload)
