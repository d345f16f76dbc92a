"""verify_webhook against real signed deliveries from the server to a loopback receiver."""

from __future__ import annotations

import json

import pytest

import aurasecurity
from aurasecurity import Client, WebhookVerificationError, verify_webhook

from conftest import Partner, Server, unique
from standins import Captured, Receiver


def _delivery_for(receiver: Receiver, scan_id: str) -> Captured:
    return receiver.wait_for(lambda c: c.body and json.loads(c.body).get("scan_id") == scan_id, timeout=60)


@pytest.fixture(scope="module")
def delivery(server: Server, partner: Partner) -> Captured:
    """One real `scan_completed` delivery to a scan's callback_url."""
    r = Receiver()
    try:
        with Client(partner.api_key, base_url=server.url) as aura:
            sub = aura.scan_repo(f"sdk-test/{unique('hook')}", callback_url=r.url + "/aura/callback")
            scan = aura.wait_for_result(sub, timeout=120)
            assert scan.status == "completed"
            return _delivery_for(r, sub.scan_id)
    finally:
        r.close()


def test_real_delivery_verifies_with_both_schemes(delivery: Captured, partner: Partner) -> None:
    h = delivery.headers
    assert delivery.method == "POST" and delivery.path == "/aura/callback"
    assert h["x-aurasecurity-signature"].startswith("sha256=")
    assert h["webhook-signature"].startswith("v1,")
    assert h["webhook-id"] == h["x-aurasecurity-delivery"]
    assert h["x-aurasecurity-event"] == "scan_completed"
    for scheme in ("auto", "both", "aura", "standard"):
        payload = verify_webhook(delivery.body, h, partner.webhook_secret, scheme=scheme)  # type: ignore[arg-type]
        assert payload["event"] == "scan_completed"
        assert payload["verdict"] in ("SAFU", "DYOR", "RISKY", "SCAM")
        assert isinstance(payload["score"], int) and payload["report_url"]
    # Headers as a list of pairs, the body as text, several candidate secrets.
    verify_webhook(delivery.body.decode(), list(h.items()), ["whsec_" + "A" * 44, partner.webhook_secret])


def test_tampered_and_wrong_deliveries_are_rejected(delivery: Captured, partner: Partner) -> None:
    h, body, secret = delivery.headers, delivery.body, partner.webhook_secret
    tampered = body.replace(b'"scan_completed"', b'"scan_complete\\u0064"')
    assert tampered != body
    for scheme in ("auto", "aura", "standard"):
        with pytest.raises(WebhookVerificationError) as e:
            verify_webhook(tampered, h, secret, scheme=scheme)  # type: ignore[arg-type]
        assert e.value.code == "invalid_signature"
    # A signature of another secret.
    other = "whsec_" + "QUJD" * 11
    with pytest.raises(WebhookVerificationError) as e:
        verify_webhook(body, h, other)
    assert e.value.code == "invalid_signature"
    # A forged signature header.
    bad = dict(h, **{"x-aurasecurity-signature": "sha256=" + "0" * 64})
    with pytest.raises(WebhookVerificationError):
        verify_webhook(body, bad, secret, scheme="aura")
    # Standard Webhooks: the id and timestamp are signed too.
    with pytest.raises(WebhookVerificationError) as e:
        verify_webhook(body, dict(h, **{"webhook-id": "another"}), secret, scheme="standard")
    assert e.value.code == "invalid_signature"
    # Missing headers.
    with pytest.raises(WebhookVerificationError) as e:
        verify_webhook(body, {"content-type": "application/json"}, secret)
    assert e.value.code == "missing_signature"
    only_aura = {k: v for k, v in h.items() if not k.startswith("webhook-")}
    verify_webhook(body, only_aura, secret)  # auto: what is present must verify
    with pytest.raises(WebhookVerificationError):
        verify_webhook(body, only_aura, secret, scheme="both")


def test_expired_delivery_is_rejected(delivery: Captured, partner: Partner) -> None:
    ts = int(delivery.headers["webhook-timestamp"])
    verify_webhook(delivery.body, delivery.headers, partner.webhook_secret, now=ts + 299)
    for now in (ts + 301, ts - 301):
        with pytest.raises(WebhookVerificationError) as e:
            verify_webhook(delivery.body, delivery.headers, partner.webhook_secret, now=now)
        assert e.value.code == "timestamp_out_of_tolerance"
    verify_webhook(delivery.body, delivery.headers, partner.webhook_secret, now=ts + 3000, tolerance_secs=3600)
    with pytest.raises(WebhookVerificationError):
        verify_webhook(delivery.body, delivery.headers, partner.webhook_secret, now=ts + 10, tolerance_secs=5)


def test_rotation_grace_period_signs_with_both_secrets(server: Server, admin: Client, receiver: Receiver) -> None:
    made = admin.create_partner("Rotating Partner", f"rotate-{unique('p')}@sdk.test", "partner")
    old = made["webhook_secret"]
    with Client(made["api_key"], base_url=server.url) as aura:
        new = aura.rotate_webhook_secret(grace_period_secs=3600)
        assert new.startswith("whsec_") and new != old
        hook = aura.create_webhook(receiver.url + "/registered")
        sub = aura.scan_repo(f"sdk-test/{unique('rot')}", callback_url=receiver.url + "/callback")
        aura.wait_for_result(sub, timeout=120)
        got = receiver.wait_for(lambda c: c.path == "/callback", timeout=60)
        registered = receiver.wait_for(lambda c: c.path == "/registered", timeout=60)
        for c in (got, registered):
            assert len(c.headers["x-aurasecurity-signature"].split()) == 2
            assert len(c.headers["webhook-signature"].split()) == 2
            assert verify_webhook(c.body, c.headers, old, scheme="both")["scan_id"] == sub.scan_id
            assert verify_webhook(c.body, c.headers, new, scheme="both")["scan_id"] == sub.scan_id
        # The delivery log lists both, sent.
        logged = {d["url"]: d for d in aura.list_deliveries()}
        assert logged[receiver.url + "/callback"]["status"] in ("sent", "pending")
        assert logged[receiver.url + "/registered"]["webhook_id"] == hook["id"]
        detail = aura.get_delivery(logged[receiver.url + "/callback"]["id"])
        assert json.loads(got.body) == detail["payload"]
        aura.delete_webhook(hook["id"])


def test_cached_answer_still_delivers(client: Client, partner: Partner, receiver: Receiver) -> None:
    target = f"sdk-test/{unique('cachedhook')}"
    first = client.scan_repo_and_wait(target, timeout=120)
    cached = client.scan_repo(target, callback_url=receiver.url + "/cached")
    assert cached.cached and cached.scan_id == first.scan_id
    got = receiver.wait_for(lambda c: c.path == "/cached", timeout=60)
    payload = verify_webhook(got.body, got.headers, partner.webhook_secret, scheme="both")
    assert payload["scan_id"] == first.scan_id and payload["event"] == "scan_completed"
    assert isinstance(aurasecurity.sign_aura(partner.webhook_secret, got.body), str)
