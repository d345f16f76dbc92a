"""The SDK against the real server binary (scans run by its worker against the GitHub
stand-in)."""

from __future__ import annotations

import asyncio
import uuid

import pytest

import aurasecurity
from aurasecurity import AsyncClient, AuraError, Client, ScanEvent

from conftest import Partner, Server, unique


def _check_completed(scan: aurasecurity.Scan, target: str) -> None:
    assert scan.status == "completed", scan
    assert scan.kind == "repo"
    assert scan.target == target
    assert scan.progress == 100
    assert scan.completed_at
    assert scan.result is not None
    r = scan.result
    assert 0 <= r.score <= 100
    assert r.grade in ("A", "B", "C", "D", "F")
    assert r.verdict in ("SAFU", "DYOR", "RISKY", "SCAM")
    assert all(t.startswith("#") for t in r.tags)
    assert r.checks, "a score is the sum of its checks"
    assert abs(sum(c.points for c in r.checks) - r.score) <= 1 or r.score in (0, 100)
    assert scan.report_url.endswith(f"/report/{scan.scan_id}")


def test_scan_wait_for_result_streams_progress(client: Client) -> None:
    target = f"sdk-test/{unique('stream')}"
    sub = client.scan_repo(target)
    assert sub.status == "queued" and not sub.cached and sub.scan is None
    assert sub.stream_url.endswith(f"/v1/scan/{sub.scan_id}/stream")
    events: list[ScanEvent] = []
    scan = client.wait_for_result(sub.scan_id, on_progress=events.append, timeout=120)
    _check_completed(scan, target)
    names = [e.event for e in events]
    assert names[0] == "scan_started", names
    assert names[-1] == "scan_completed", names
    assert "progress" in names, names
    assert all(not e.polled for e in events)
    percents = [e.percent for e in events if e.event == "progress"]
    assert percents == sorted(percents), percents
    done = events[-1].data
    assert done["scanId"] == scan.scan_id
    assert done["score"] == scan.result.score and done["verdict"] == scan.result.verdict
    assert all(e.id for e in events), "every event carries an id"


async def test_async_scan_wait_for_result(server: Server, partner: Partner) -> None:
    target = f"sdk-test/{unique('async')}"
    seen: list[str] = []

    async def on_progress(e: ScanEvent) -> None:  # a coroutine callback is awaited
        await asyncio.sleep(0)
        seen.append(e.event)

    async with AsyncClient(partner.api_key, base_url=server.url) as aura:
        sub = await aura.scan_repo(f"https://github.com/{target}")
        scan = await aura.wait_for_result(sub, on_progress=on_progress, timeout=120)
        _check_completed(scan, target)
        assert seen[0] == "scan_started" and seen[-1] == "scan_completed" and "progress" in seen
        again = await aura.get_scan(sub.scan_id)
        assert again.result == scan.result
        latest = await aura.latest(target)
        assert latest is not None and latest.scan_id == scan.scan_id
        found = await aura.lookup([target, "sdk-test/never-scanned-async"])
        assert [r.scan.scan_id if r.scan else None for r in found] == [scan.scan_id, None]


def test_resume_after_the_outcome_and_finished_replay(client: Client) -> None:
    target = f"sdk-test/{unique('resume')}"
    scan = client.scan_repo_and_wait(target, timeout=120)
    # A finished scan replays its outcome only, then closes.
    replay = list(client.stream_events(scan.scan_id))
    assert [e.event for e in replay] == ["scan_completed"]
    # Resuming after the outcome: nothing left (204), nothing yielded.
    assert list(client.stream_events(scan.scan_id, last_event_id=replay[0].id)) == []
    # Resuming from the first event replays the rest in order.
    rest = list(client.stream_events(scan.scan_id, last_event_id="1"))
    assert rest and rest[-1].event == "scan_completed"
    assert all(int(e.id or 0) > 1 for e in rest)
    # wait_for_result on a finished scan returns at once.
    assert client.wait_for_result(scan.scan_id, timeout=10).status == "completed"


def test_polling_fallback(client: Client) -> None:
    target = f"sdk-test/{unique('poll')}"
    sub = client.scan_repo(target)
    events: list[ScanEvent] = []
    scan = client.wait_for_result(sub, on_progress=events.append, use_stream=False, poll_interval=0.2, timeout=120)
    _check_completed(scan, target)
    assert events and all(e.polled for e in events)
    assert events[-1].event == "scan_completed"


def test_cached_answer_latest_and_lookup(client: Client) -> None:
    target = f"sdk-test/{unique('cache')}"
    assert client.latest(target) is None
    first = client.scan_repo_and_wait(target, timeout=120)
    cached = client.scan_repo(f"https://github.com/{target}")
    assert cached.cached is True
    assert cached.scan is not None and cached.scan.scan_id == first.scan_id
    assert cached.scan.result == first.result
    # wait_for_result on a cached submission returns the scan without a request.
    assert client.wait_for_result(cached).scan_id == first.scan_id
    # fresh=True scans again.
    fresh = client.scan_repo(target, fresh=True)
    assert not fresh.cached and fresh.scan_id != first.scan_id
    second = client.wait_for_result(fresh, timeout=120)
    assert second.status == "completed"
    latest = client.latest(target)
    assert latest is not None and latest.scan_id == second.scan_id
    res = client.lookup([target, f"https://github.com/{target}", "sdk-test/never-scanned", "not a target!"])
    assert [r.target for r in res] == [target, f"https://github.com/{target}", "sdk-test/never-scanned", "not a target!"]
    assert res[0].scan is not None and res[0].scan.scan_id == second.scan_id
    assert res[1].scan is not None and res[1].scan.scan_id == second.scan_id
    assert res[2].scan is None and res[3].scan is None


def test_failed_scan_is_returned(client: Client) -> None:
    sub = client.scan_repo(f"sdk-test/{unique('missing')}")
    events: list[ScanEvent] = []
    scan = client.wait_for_result(sub, on_progress=events.append, timeout=120)
    assert scan.status == "failed" and scan.error
    assert scan.result is None
    assert events[-1].event == "scan_failed"


def test_error_mapping(server: Server, client: Client) -> None:
    with Client("aura_pk_free_" + "0" * 32, base_url=server.url) as bad:
        with pytest.raises(aurasecurity.AuthenticationError) as e:
            bad.usage()
    assert e.value.status == 401 and e.value.code and e.value.message
    with Client(None, base_url=server.url) as anonymous:
        anonymous.api_key = None
        with pytest.raises(AuraError) as e:
            anonymous.list_keys()
    assert e.value.status == 401 and e.value.headers.get("www-authenticate", "").startswith("Bearer")
    with pytest.raises(aurasecurity.ValidationError) as e:
        client.scan_repo("definitely not a repository")
    assert (e.value.status, e.value.code) == (422, "invalid_target")
    with pytest.raises(aurasecurity.ValidationError) as e:
        client.lookup([])
    assert (e.value.status, e.value.code) == (422, "validation_failed")
    with pytest.raises(aurasecurity.NotFoundError) as e:
        client.get_scan("0" * 32)
    assert (e.value.status, e.value.code) == (404, "not_found")
    with pytest.raises(aurasecurity.NotFoundError):
        client.wait_for_result("0" * 32, timeout=10)
    with pytest.raises(aurasecurity.PermissionDeniedError) as e:
        client.list_partners()  # a partner's key on the admin API
    assert (e.value.status, e.value.code) == (403, "forbidden")
    with pytest.raises(aurasecurity.ServiceUnavailableError) as e:
        client.scan_x_profile("aurasecurity")  # no X token on this server: not retried
    assert (e.value.status, e.value.code) == (503, "x_api_not_configured")


def test_rate_limit_error_carries_retry_after(server: Server) -> None:
    with Client(base_url=server.url, max_retry_wait=5) as anon:
        acct = anon.register(f"free-{uuid.uuid4().hex[:8]}@sdk.test", "free password 1", "Free Tier")
    assert acct["api_key"].startswith("aura_pk_free_")
    assert acct["webhook_secret"].startswith("whsec_")
    # Free tier: 5 calls a minute. The sixth is a 429 whose Retry-After (about a minute) is
    # longer than max_retry_wait, so it is raised at once with retry_after set.
    with Client(acct["api_key"], base_url=server.url, max_retry_wait=5) as free:
        for _ in range(5):
            free.usage()
        with pytest.raises(aurasecurity.RateLimitError) as e:
            free.usage()
    assert (e.value.status, e.value.code) == (429, "rate_limited")
    assert e.value.retry_after is not None and e.value.retry_after > 5


def test_keys_usage_webhooks_embed(server: Server, client: Client) -> None:
    made = client.create_key("sdk second key")
    assert made["api_key"].startswith("aura_pk_partner_")
    keys = client.list_keys()
    assert made["id"] in [k["id"] for k in keys]
    assert all("api_key" not in k for k in keys)
    rotated = client.rotate_key(made["id"])
    assert rotated["api_key"] != made["api_key"]
    with Client(made["api_key"], base_url=server.url) as old:
        with pytest.raises(aurasecurity.AuthenticationError):
            old.usage()
    with Client(rotated["api_key"], base_url=server.url) as new:
        assert new.usage()["tier"] == "partner"
    client.revoke_key(rotated["id"])
    with Client(rotated["api_key"], base_url=server.url) as revoked:
        with pytest.raises(aurasecurity.AuthenticationError):
            revoked.usage()

    usage = client.usage()
    assert usage["tier"] == "partner" and usage["limits"]["per_minute"] == 100
    assert usage["today"]["requests"] >= 1 and len(usage["daily"]) >= 1

    hook = client.create_webhook("http://127.0.0.1:9/hook", events=["scan_completed"])
    assert hook["events"] == ["scan_completed"]
    assert hook["id"] in [w["id"] for w in client.list_webhooks()]
    client.delete_webhook(hook["id"])
    assert hook["id"] not in [w["id"] for w in client.list_webhooks()]
    assert isinstance(client.list_deliveries(limit=5), list)

    settings = client.update_embed_settings(allowed_domains=["https://terminal.example"], theme="dark")
    assert settings == {"allowed_domains": ["https://terminal.example"], "theme": "dark"}
    assert client.get_embed_settings() == settings
    with pytest.raises(aurasecurity.ValidationError):
        client.update_embed_settings(allowed_domains=["ftp://nope"])


def test_admin_operations(admin: Client, partner: Partner) -> None:
    partners = admin.list_partners()
    assert partner.account_id in [p["account_id"] for p in partners]
    updated = admin.update_partner(partner.account_id, tier="partner")
    assert updated["tier"] == "partner"
    audit = admin.list_audit(action="partner.create", max_items=10)
    assert audit and all(a["action"] == "partner.create" for a in audit)
    assert len(admin.list_audit(max_items=2)) <= 2
    assert isinstance(admin.list_jobs(status="dead"), list)
    assert admin.info()["name"]
    assert admin.health() is True


def test_partner_slug_and_reinvite(admin: Client) -> None:
    p = admin.create_partner("Axiom Desk", "axiom@sdk.test", "free", partner_slug="axiom-desk")
    assert p["partner_slug"] == "axiom-desk"
    with pytest.raises(aurasecurity.AuraError) as taken:
        admin.create_partner("Copy", "copy@sdk.test", "free", partner_slug="axiom-desk")
    assert taken.value.status == 409 and taken.value.code == "slug_taken"
    url = admin.invite_partner(p["account_id"])
    assert "/invite/" in url and url != p["invite_url"]


def test_key_scopes_are_enforced(server: Server, client: Client) -> None:
    key = client.create_key("read-only", scopes=["scans:read"])
    assert key["scopes"] == ["scans:read"]
    try:
        with aurasecurity.Client(key["api_key"], base_url=server.url) as read_only:
            with pytest.raises(aurasecurity.AuraError) as refused:
                read_only.scan_repo("orbit/sdk")
            assert refused.value.status == 403 and refused.value.code == "insufficient_scope"
    finally:
        client.revoke_key(key["id"])


def _onboard(admin: Client, name: str) -> dict:
    """A partner of its own (its own rate limit, key cap and scans), for the list tests."""
    email = f"{name}-{uuid.uuid4().hex[:8]}@sdk.test"
    return dict(admin.create_partner(name, email, "partner"))


def test_keys_list_pages_with_limit_and_link(server: Server, admin: Client) -> None:
    p = _onboard(admin, "pages")
    with Client(p["api_key"], base_url=server.url) as c:
        made = [c.create_key(f"page-{i}")["id"] for i in range(4)]  # five keys with the first one
        first = c.request("GET", "/v1/auth/keys", params={"limit": 2})
        assert len(first.json()) == 2
        link = first.headers.get("link", "")
        assert 'rel="next"' in link and f"<{server.url}/v1/auth/keys?" in link, link
        # The SDK follows Link page after page: every key once, newest first.
        keys = c.list_keys(limit=2)
        ids = [k["id"] for k in keys]
        assert len(ids) == 5 and len(set(ids)) == 5, ids
        assert set(made) <= set(ids)
        stamps = [k["created_at"] for k in keys]
        assert stamps == sorted(stamps, reverse=True), "newest first"
        assert all(k["scopes"] for k in keys)
        # The same walk with the default page, and bounded by max_items.
        assert [k["id"] for k in c.list_keys()] == ids
        assert [k["id"] for k in c.iter_keys(limit=2, max_items=3)] == ids[:3]
        # A limit outside 1-200 is refused.
        with pytest.raises(aurasecurity.ValidationError) as e:
            c.list_keys(limit=201)
        assert (e.value.status, e.value.code) == (422, "validation_failed")


async def test_async_keys_list_pages(server: Server, admin: Client) -> None:
    p = _onboard(admin, "async-pages")
    async with AsyncClient(p["api_key"], base_url=server.url) as c:
        for i in range(2):
            await c.create_key(f"async-page-{i}")
        ids = [k["id"] async for k in c.iter_keys(limit=1)]
        assert len(ids) == 3 and len(set(ids)) == 3, ids
        assert len(await c.list_keys(limit=2, max_items=2)) == 2


def test_list_scans_is_the_accounts_own(server: Server, admin: Client, client: Client) -> None:
    p = _onboard(admin, "scans")
    targets = [f"sdk-test/{unique('mine')}" for _ in range(3)]
    with Client(p["api_key"], base_url=server.url) as c:
        assert c.list_scans() == []
        subs = [c.scan_repo(t) for t in targets]
        done = [c.wait_for_result(s, timeout=120) for s in subs]
        # Another account's scan never shows up.
        other = client.scan_repo(f"sdk-test/{unique('theirs')}")
        scans = c.list_scans(limit=2)
        assert all(isinstance(s, aurasecurity.Scan) for s in scans)
        assert sorted(s.scan_id for s in scans) == sorted(s.scan_id for s in subs)
        assert other.scan_id not in [s.scan_id for s in scans]
        stamps = [s.created_at for s in scans]
        assert stamps == sorted(stamps, reverse=True), "newest first"
        by_id = {s.scan_id: s for s in scans}
        for d in done:
            got = by_id[d.scan_id]
            assert got.status == "completed" and got.kind == "repo"
            assert got.target in targets and got.result == d.result
        assert [s.scan_id for s in c.iter_scans(limit=1, max_items=2)] == [s.scan_id for s in scans[:2]]
    client.wait_for_result(other, timeout=120)


async def test_async_list_scans(server: Server, partner: Partner) -> None:
    async with AsyncClient(partner.api_key, base_url=server.url) as aura:
        sub = await aura.scan_repo(f"sdk-test/{unique('async-list')}")
        scans = [s async for s in aura.iter_scans(limit=3)]
        assert sub.scan_id in [s.scan_id for s in scans], "the newest scan is on the first page"
        assert all(isinstance(s, aurasecurity.Scan) and s.scan_id for s in scans)
        assert [s.scan_id for s in await aura.list_scans(limit=200)] == [s.scan_id for s in scans]
        assert len(await aura.list_scans(max_items=2)) == min(2, len(scans))
        await aura.wait_for_result(sub, timeout=120)
