#!/usr/bin/env python3
"""Verifying an AuraSecurity webhook in Python (standard library only).

Usage as a check: verify_webhook.py SECRET BODY_FILE HEADERS_JSON_FILE
(the integration tests run it against real deliveries). In a web app, call
verify(secret, raw_body_bytes, headers) with the *raw* request body.
"""
import base64, hashlib, hmac, json, sys, time


def verify_aura(secret: str, body: bytes, header: str) -> bool:
    # sha256=<hex> values, space-separated during a rotation; keyed with the whole secret.
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(sig.removeprefix("sha256="), expected)
               for sig in header.split(" ") if sig.startswith("sha256="))


def verify_standard(secret: str, msg_id: str, timestamp: str, body: bytes, header: str,
                    tolerance: int = 300) -> bool:
    # Standard Webhooks: v1,<base64> over "{id}.{timestamp}.{body}", keyed with the bytes
    # after whsec_ (base64-decoded). Old timestamps are replays.
    if abs(time.time() - int(timestamp)) > tolerance:
        return False
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(hmac.compare_digest(sig.removeprefix("v1,"), expected)
               for sig in header.split(" ") if sig.startswith("v1,"))


def verify(secret: str, body: bytes, headers: dict) -> bool:
    h = {k.lower(): v for k, v in headers.items()}
    return (verify_aura(secret, body, h.get("x-aurasecurity-signature", ""))
            and verify_standard(secret, h.get("webhook-id", ""), h.get("webhook-timestamp", "0"),
                                body, h.get("webhook-signature", "")))


if __name__ == "__main__":
    secret, body_file, headers_file = sys.argv[1:4]
    with open(body_file, "rb") as f:
        body = f.read()
    with open(headers_file) as f:
        headers = json.load(f)
    ok = verify(secret, body, headers)
    print("ok" if ok else "invalid")
    sys.exit(0 if ok else 1)
