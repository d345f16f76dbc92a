"""Every ``/v1`` operation, described once for both clients."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional, Sequence

from ._base import Op, clean, json_op, lookup, none_op, scan, seg, submission
from .types import LookupResult, Scan, ScanSubmission

# ---- scans -----------------------------------------------------------------------------


def scan_repo(url: str, callback_url: Optional[str], fresh: bool) -> Op[ScanSubmission]:
    body = clean({"url": url, "callback_url": callback_url, "fresh": True if fresh else None})
    return Op("POST", "/v1/scan/repo", submission, json=body)


def scan_x_profile(handle: str, callback_url: Optional[str]) -> Op[ScanSubmission]:
    body = clean({"handle": handle, "callback_url": callback_url})
    return Op("POST", "/v1/scan/x-profile", submission, json=body)


def scan_compare(url_a: str, url_b: str, callback_url: Optional[str]) -> Op[ScanSubmission]:
    body = clean({"url_a": url_a, "url_b": url_b, "callback_url": callback_url})
    return Op("POST", "/v1/scan/compare", submission, json=body)


def get_scan(scan_id: str, auth: bool = True) -> Op[Scan]:
    return Op("GET", f"/v1/scan/{seg(scan_id)}", scan, auth=auth)


def latest(target: str) -> Op[Scan]:
    return Op("GET", "/v1/scan/latest", scan, params={"target": target})


def lookup_targets(targets: Sequence[str]) -> Op[list[LookupResult]]:
    if isinstance(targets, str):
        raise TypeError("targets is a list of repositories, not one string")
    return Op("POST", "/v1/scan/lookup", lookup, json={"targets": list(targets)})


def stream_path(scan_id: str) -> str:
    return f"/v1/scan/{seg(scan_id)}/stream"


# ---- accounts and keys -----------------------------------------------------------------


def register(email: str, password: str, name: str) -> Op[Any]:
    return json_op("POST", "/v1/auth/register", body={"email": email, "password": password, "name": name}, auth=False)


def create_key(name: Optional[str], scopes: Optional[Sequence[str]], allowed_origins: Optional[Sequence[str]]) -> Op[Any]:
    return json_op(
        "POST",
        "/v1/auth/keys",
        body=clean(
            {
                "name": name,
                "scopes": list(scopes) if scopes is not None else None,
                "allowed_origins": list(allowed_origins) if allowed_origins is not None else None,
            }
        ),
    )


def rotate_key(key_id: str, expire_old_in_secs: Optional[int]) -> Op[Any]:
    return json_op("POST", f"/v1/auth/keys/{seg(key_id)}/rotate", body=clean({"expire_old_in_secs": expire_old_in_secs}))


def revoke_key(key_id: str) -> Op[None]:
    return none_op("DELETE", f"/v1/auth/keys/{seg(key_id)}")


def usage() -> Op[Any]:
    return json_op("GET", "/v1/auth/usage")


# ---- webhooks --------------------------------------------------------------------------


def create_webhook(url: str, events: Optional[Sequence[str]]) -> Op[Any]:
    return json_op("POST", "/v1/webhooks", body=clean({"url": url, "events": list(events) if events is not None else None}))


def delete_webhook(webhook_id: str) -> Op[None]:
    return none_op("DELETE", f"/v1/webhooks/{seg(webhook_id)}")


def enable_webhook(webhook_id: str, replay: bool) -> Op[Any]:
    return json_op("POST", f"/v1/webhooks/{seg(webhook_id)}/enable", body={"replay": replay})


def test_webhook(webhook_id: str) -> Op[Any]:
    return json_op("POST", f"/v1/webhooks/{seg(webhook_id)}/test")


def get_delivery(delivery_id: str) -> Op[Any]:
    return json_op("GET", f"/v1/webhooks/deliveries/{seg(delivery_id)}")


def redeliver(delivery_id: str) -> Op[Any]:
    return json_op("POST", f"/v1/webhooks/deliveries/{seg(delivery_id)}/redeliver")


def replay_deliveries(since: datetime | str, webhook_id: Optional[str]) -> Op[Any]:
    when = since.isoformat().replace("+00:00", "Z") if isinstance(since, datetime) else since
    return json_op("POST", "/v1/webhooks/deliveries/replay", body=clean({"since": when, "webhook_id": webhook_id}))


def rotate_webhook_secret(grace_period_secs: Optional[int]) -> Op[str]:
    return Op(
        "POST",
        "/v1/webhooks/secret/rotate",
        lambda r: str(r.json()["webhook_secret"]),
        json=clean({"grace_period_secs": grace_period_secs}),
    )


# ---- embed settings --------------------------------------------------------------------


def get_embed_settings() -> Op[Any]:
    return json_op("GET", "/v1/embed/settings")


def update_embed_settings(allowed_domains: Optional[Sequence[str]], theme: Optional[str]) -> Op[Any]:
    body = clean({"allowed_domains": list(allowed_domains) if allowed_domains is not None else None, "theme": theme})
    return json_op("PUT", "/v1/embed/settings", body=body)


# ---- administration --------------------------------------------------------------------


def create_partner(
    name: str, email: str, tier: str, allowed_domains: Optional[Sequence[str]], partner_slug: Optional[str]
) -> Op[Any]:
    body = clean(
        {
            "name": name,
            "email": email,
            "tier": tier,
            "allowed_domains": list(allowed_domains) if allowed_domains is not None else None,
            "partner_slug": partner_slug,
        }
    )
    return json_op("POST", "/v1/admin/partners", body=body)


def invite_partner(account_id: str) -> Op[str]:
    return Op("POST", f"/v1/admin/partners/{seg(account_id)}/invite", lambda r: str(r.json()["invite_url"]))


def update_partner(account_id: str, tier: Optional[str], status: Optional[str]) -> Op[Any]:
    return json_op("PATCH", f"/v1/admin/partners/{seg(account_id)}", body=clean({"tier": tier, "status": status}))


def retry_job(job_id: str) -> Op[Any]:
    return json_op("POST", f"/v1/admin/jobs/{seg(job_id)}/retry")


# ---- service ---------------------------------------------------------------------------


def info() -> Op[Any]:
    return json_op("GET", "/info", auth=False)


def health() -> Op[bool]:
    return Op("GET", "/health", lambda r: r.status_code == 200, auth=False)
