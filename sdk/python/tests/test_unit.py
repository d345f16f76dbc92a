"""Client behaviour that the real server cannot be made to show on demand (retries after
a 429/503, paging, a dropped stream), against small scripted stand-ins; and pure helpers."""

from __future__ import annotations

import inspect
import json
import threading
import time
from typing import Any, Callable

import httpx
import pytest

import aurasecurity
from aurasecurity import AsyncClient, Client, ScanEvent, verify_webhook
from aurasecurity._base import SSEDecoder, next_link, rebase
from aurasecurity.errors import error_from_response, parse_retry_after

from standins import StandIn

Handler = Callable[[str, str, dict[str, list[str]], dict[str, str], bytes], tuple[int, dict[str, str], bytes]]


class Scripted(StandIn):
    def __init__(self, fn: Handler) -> None:
        self.fn = fn
        self.requests: list[tuple[str, str, dict[str, list[str]], dict[str, str], float]] = []
        self.lock = threading.Lock()
        super().__init__()

    def handle(self, method, path, query, headers, body):  # type: ignore[override]
        with self.lock:
            self.requests.append((method, path, query, headers, time.monotonic()))
        return self.fn(method, path, query, headers, body)


def j(status: int, value: Any, **headers: str) -> tuple[int, dict[str, str], bytes]:
    h = {"content-type": "application/json"}
    h.update({k.replace("_", "-"): v for k, v in headers.items()})
    return status, h, json.dumps(value).encode()


def err(status: int, code: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    return j(status, {"error": {"code": code, "message": f"{code} happened"}}, **headers)


SCAN = {
    "scan_id": "abc", "kind": "repo", "target": "o/r", "status": "completed", "progress": 100,
    "created_at": "2026-01-01T00:00:00Z", "completed_at": "2026-01-01T00:00:05Z",
    "report_url": "http://x/report/abc", "stream_url": "http://x/v1/scan/abc/stream",
    "result": {"score": 88, "grade": "B", "verdict": "SAFU", "summary": "ok", "tags": ["#Established"],
               "red_flags": [{"id": "a", "severity": "low", "title": "L", "detail": ""},
                             {"id": "b", "severity": "critical", "title": "C", "detail": ""},
                             {"id": "c", "severity": "high", "title": "H", "detail": ""}],
               "green_flags": [], "checks": [{"id": "x", "name": "X", "status": "pass", "points": 88, "detail": ""}]},
}


# ---- retries ---------------------------------------------------------------------------


def test_retry_honours_retry_after() -> None:
    calls = {"n": 0}

    def fn(method, path, query, headers, body):
        calls["n"] += 1
        if calls["n"] == 1:
            return err(429, "rate_limited", retry_after="1")
        if calls["n"] == 2:
            return err(503, "unavailable", retry_after="1")
        return j(200, {"tier": "partner"})

    s = Scripted(fn)
    try:
        with Client("k", base_url=s.url) as c:
            t0 = time.monotonic()
            assert c.usage()["tier"] == "partner"
            elapsed = time.monotonic() - t0
        times = [r[4] for r in s.requests]
        assert len(times) == 3
        assert times[1] - times[0] >= 0.95 and times[2] - times[1] >= 0.95, times
        assert elapsed >= 1.9
        assert all(r[3]["authorization"] == "Bearer k" for r in s.requests)
    finally:
        s.close()


def test_retry_is_bounded_and_long_waits_raise_at_once() -> None:
    s = Scripted(lambda *a: err(429, "concurrent_scan_limit", retry_after="0"))
    try:
        with Client("k", base_url=s.url, max_retries=2) as c:
            with pytest.raises(aurasecurity.RateLimitError) as e:
                c.scan_repo("o/r")
        assert len(s.requests) == 3  # one try and two retries
        assert (e.value.code, e.value.status, e.value.retry_after) == ("concurrent_scan_limit", 429, 0)
    finally:
        s.close()
    s = Scripted(lambda *a: err(429, "daily_quota_exceeded", retry_after="3600"))
    try:
        with Client("k", base_url=s.url, max_retry_wait=60) as c:
            t0 = time.monotonic()
            with pytest.raises(aurasecurity.RateLimitError) as e:
                c.usage()
            assert time.monotonic() - t0 < 1
        assert len(s.requests) == 1 and e.value.retry_after == 3600
    finally:
        s.close()
    s = Scripted(lambda *a: err(422, "invalid_target"))
    try:
        with Client("k", base_url=s.url) as c:
            with pytest.raises(aurasecurity.ValidationError):
                c.scan_repo("x")
        assert len(s.requests) == 1  # never retried
    finally:
        s.close()


async def test_async_retry_honours_retry_after() -> None:
    calls = {"n": 0}

    def fn(method, path, query, headers, body):
        calls["n"] += 1
        return err(429, "rate_limited", retry_after="1") if calls["n"] == 1 else j(200, SCAN)

    s = Scripted(fn)
    try:
        async with AsyncClient("k", base_url=s.url) as c:
            t0 = time.monotonic()
            scan = await c.get_scan("abc")
            assert time.monotonic() - t0 >= 0.95
        assert scan.result is not None and scan.result.verdict == "SAFU"
        assert len(s.requests) == 2
    finally:
        s.close()


def test_connection_refused_is_an_aura_error() -> None:
    with Client("k", base_url="http://127.0.0.1:9") as c:
        with pytest.raises(aurasecurity.APIConnectionError) as e:
            c.usage()
    assert e.value.status is None and e.value.code == "connection_error"


# ---- paging ----------------------------------------------------------------------------


def _paged(base: list[str]) -> Handler:
    def fn(method, path, query, headers, body):
        cursor = int(query.get("cursor", ["0"])[0])
        limit = int(query.get("limit", ["2"])[0])
        page = [{"id": f"k{i}"} for i in range(cursor, min(cursor + limit, 5))]
        h: dict[str, str] = {}
        if cursor + limit < 5:
            # Absolute URL on another origin (the server's public URL): the client keeps its own.
            h["link"] = f'<https://public.example{path}?limit={limit}&cursor={cursor + limit}>; rel="next", <https://public.example{path}>; rel="first"'
        base.append(headers.get("authorization", ""))
        return j(200, page, **h)

    return fn


def test_lists_follow_link_next() -> None:
    auths: list[str] = []
    s = Scripted(_paged(auths))
    try:
        with Client("k", base_url=s.url + "/v1") as c:
            assert [k["id"] for k in c.list_keys(limit=2)] == ["k0", "k1", "k2", "k3", "k4"]
            assert [r[2].get("cursor") for r in s.requests] == [None, ["2"], ["4"]]
            assert auths == ["Bearer k"] * 3
            assert [k["id"] for k in c.list_webhooks(limit=2, max_items=3)] == ["k0", "k1", "k2"]
            it = c.iter_deliveries(limit=2)
            assert next(it)["id"] == "k0"
    finally:
        s.close()


async def test_async_lists_follow_link_next() -> None:
    s = Scripted(_paged([]))
    try:
        async with AsyncClient("k", base_url=s.url) as c:
            assert [p["id"] for p in await c.list_partners(limit=2)] == ["k0", "k1", "k2", "k3", "k4"]
            got = [a["id"] async for a in c.iter_audit(limit=3)]
            assert got == ["k0", "k1", "k2", "k3", "k4"]
    finally:
        s.close()


def test_link_parsing() -> None:
    h = httpx.Headers([("link", '<https://a/x?c=1>; rel="prev", <https://a/x?c=3>; rel="next"')])
    assert next_link(h) == "https://a/x?c=3"
    assert next_link(httpx.Headers([("link", "<https://a/y>; rel=next")])) == "https://a/y"
    assert next_link(httpx.Headers([("link", '<https://a/y>; rel="first"')])) is None
    assert next_link(httpx.Headers()) is None
    assert rebase("https://other.example/v1/keys?cursor=x", "http://127.0.0.1:3000") == "http://127.0.0.1:3000/v1/keys?cursor=x"
    assert rebase("/v1/keys?cursor=x", "http://h") == "http://h/v1/keys?cursor=x"


# ---- the event stream ------------------------------------------------------------------


def _sse(*events: tuple[int, str, dict[str, Any]]) -> bytes:
    out = ": keep-alive\n\n"
    for i, name, data in events:
        out += f"id: {i}\nevent: {name}\ndata: {json.dumps(data)}\n\n"
    return out.encode()


def test_stream_resumes_with_last_event_id_after_a_drop() -> None:
    def fn(method, path, query, headers, body):
        if path.endswith("/stream"):
            if "last-event-id" not in headers:  # first connection: two events, then the connection ends
                return 200, {"content-type": "text/event-stream"}, _sse(
                    (1, "scan_started", {"scanId": "abc", "repo": "o/r"}), (2, "progress", {"percent": 30, "message": "fetching"}))
            assert headers["last-event-id"] == "2"
            return 200, {"content-type": "text/event-stream"}, _sse(
                (3, "progress", {"percent": 80, "message": "scoring"}),
                (4, "scan_completed", {"scanId": "abc", "score": 88, "grade": "B", "verdict": "SAFU", "reportUrl": "u"}))
        return j(200, SCAN)

    s = Scripted(fn)
    try:
        with Client("k", base_url=s.url) as c:
            events: list[ScanEvent] = []
            scan = c.wait_for_result("abc", on_progress=events.append, timeout=10)
        assert [(e.id, e.event, e.percent) for e in events] == [
            ("1", "scan_started", None), ("2", "progress", 30), ("3", "progress", 80), ("4", "scan_completed", 100)]
        assert scan.result is not None and scan.result.score == 88
        streams = [r for r in s.requests if r[1].endswith("/stream")]
        assert len(streams) == 2 and "authorization" not in streams[0][3]
    finally:
        s.close()


async def test_async_stream_resume_and_204() -> None:
    def fn(method, path, query, headers, body):
        if path.endswith("/stream"):
            if "last-event-id" not in headers:
                return 200, {"content-type": "text/event-stream"}, _sse((7, "progress", {"percent": 50, "message": "x"}))
            return 204, {}, b""  # finished, nothing after 7 (its outcome was missed)
        return j(200, SCAN)

    s = Scripted(fn)
    try:
        async with AsyncClient("k", base_url=s.url) as c:
            events: list[ScanEvent] = []
            scan = await c.wait_for_result("abc", on_progress=events.append, timeout=10)
        assert [e.event for e in events] == ["progress"]
        assert scan.status == "completed"
    finally:
        s.close()


@pytest.mark.parametrize("stream_answer", [
    (200, {"content-type": "text/html"}, b"<html>a proxy page</html>"),
    (502, {"content-type": "text/plain"}, b"bad gateway"),
])
def test_falls_back_to_polling(stream_answer: tuple[int, dict[str, str], bytes]) -> None:
    polls = {"n": 0}

    def fn(method, path, query, headers, body):
        if path.endswith("/stream"):
            return stream_answer
        polls["n"] += 1
        if polls["n"] < 3:
            return j(200, dict(SCAN, status="running", progress=polls["n"] * 30, result=None, completed_at=None))
        return j(200, SCAN)

    s = Scripted(fn)
    try:
        with Client("k", base_url=s.url) as c:
            c._sleep = lambda secs: None  # no waiting between attempts
            events: list[ScanEvent] = []
            scan = c.wait_for_result("abc", on_progress=events.append, poll_interval=0.01, timeout=10)
        assert scan.status == "completed"
        assert [(e.event, e.percent, e.polled) for e in events] == [
            ("progress", 30, True), ("progress", 60, True), ("scan_completed", 100, True)]
    finally:
        s.close()


def test_wait_times_out() -> None:
    s = Scripted(lambda *a: j(200, dict(SCAN, status="running", progress=10, result=None)) if not a[1].endswith("/stream")
                 else (200, {"content-type": "text/plain"}, b"no"))
    try:
        with Client("k", base_url=s.url) as c:
            with pytest.raises(aurasecurity.WaitTimeoutError) as e:
                c.wait_for_result("abc", timeout=0.5, poll_interval=0.1)
        assert e.value.code == "timeout"
    finally:
        s.close()


def test_sse_decoder() -> None:
    d = SSEDecoder()
    lines = [": comment", "id: 5", "event: progress", "data: {\"percent\": 40,", "data: \"message\": \"x\"}", "", "", "data:plain", ""]
    evs = [e for e in (d.feed(l) for l in lines) if e]
    assert evs[0] == ScanEvent("progress", {"percent": 40, "message": "x"}, "5")
    assert evs[1].event == "message" and evs[1].data == {"raw": "plain"} and evs[1].id == "5"


# ---- errors, types, verification ---------------------------------------------------------


def test_error_from_response() -> None:
    e = error_from_response(409, httpx.Headers(), b'{"error":{"code":"key_limit_reached","message":"3 keys"}}')
    assert isinstance(e, aurasecurity.ConflictError) and (e.code, e.status, e.message) == ("key_limit_reached", 409, "3 keys")
    e = error_from_response(502, httpx.Headers({"retry-after": "7"}), b"<html>bad gateway</html>")
    assert isinstance(e, aurasecurity.ServerError) and e.code == "http_502" and e.retry_after == 7
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0
    assert parse_retry_after("garbage") is None
    assert "HTTP 409 key_limit_reached" in str(error_from_response(409, httpx.Headers(), b'{"error":{"code":"key_limit_reached","message":"m"}}'))


def test_scan_types() -> None:
    s = aurasecurity.Scan.from_dict(SCAN)
    assert s.finished and s.result is not None
    assert [f.severity for f in s.result.top_red_flags(2)] == ["critical", "high"]
    assert s.result.checks[0].points == 88
    sub = aurasecurity.ScanSubmission.from_response(202, {"scan_id": "x", "status": "queued", "stream_url": "s", "report_url": "r"})
    assert sub.scan is None and not sub.cached


def test_verify_webhook_with_computed_signatures() -> None:
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"event":"scan_completed","scan_id":"s1","score":90}'
    ts = str(int(time.time()))
    headers = {
        "X-AuraSecurity-Signature": aurasecurity.sign_aura(secret, body),
        "X-AuraSecurity-Timestamp": ts,
        "Webhook-Id": "msg_1",
        "Webhook-Timestamp": ts,
        "Webhook-Signature": "v1,bm9wZQ== " + aurasecurity.sign_standard(secret, "msg_1", ts, body),
    }
    assert verify_webhook(body, headers, secret, scheme="both")["scan_id"] == "s1"
    with pytest.raises(aurasecurity.WebhookVerificationError):
        verify_webhook(body + b" ", headers, secret)
    with pytest.raises(aurasecurity.WebhookVerificationError) as e:
        verify_webhook(b"[1]", {"X-AuraSecurity-Signature": aurasecurity.sign_aura(secret, b"[1]")}, secret)
    assert e.value.code == "invalid_payload"


def test_sync_and_async_clients_have_the_same_operations() -> None:
    def public(cls: type) -> dict[str, inspect.Signature]:
        return {n: inspect.signature(f) for n, f in vars(cls).items() if callable(f) and not n.startswith("_")}

    sync, asyn = public(Client), public(AsyncClient)
    sync.pop("close"), asyn.pop("aclose")
    assert sync.keys() == asyn.keys()
    for name in sync:
        assert list(sync[name].parameters) == list(asyn[name].parameters), name
        f = getattr(AsyncClient, name)
        if name.startswith("iter_") or name == "stream_events":
            assert not inspect.iscoroutinefunction(f), name  # async iterators
        else:
            assert inspect.iscoroutinefunction(f), name
