"""The synchronous client."""

from __future__ import annotations

import time
from datetime import datetime
from types import TracebackType
from typing import Any, Callable, Generator, Iterator, Mapping, Optional, Sequence, TypeVar, cast

import httpx

from . import _ops as ops
from ._base import (
    DEFAULT_TIMEOUT,
    Op,
    Pager,
    SSEDecoder,
    StreamUnavailable,
    clean,
    default_headers,
    polled_event,
    resolve_config,
    retry_delay,
    scan_id_of,
)
from .errors import (
    APIConnectionError,
    AuraError,
    NotFoundError,
    WaitTimeoutError,
    error_from_response,
)
from .types import (
    AuditEntry,
    Delivery,
    DeliveryDetail,
    EmbedSettings,
    KeyInfo,
    LookupResult,
    NewKey,
    NewPartner,
    Partner,
    RegisterResponse,
    Scan,
    ScanEvent,
    ScanSubmission,
    Usage,
    Webhook,
    WebhookEnableResult,
)

T = TypeVar("T")
ProgressCallback = Callable[[ScanEvent], Any]


class Client:
    """Synchronous AuraSecurity API client.

    Args:
        api_key: ``aura_pk_…`` (default: ``$AURA_API_KEY``).
        base_url: the server's base URL (default: ``$AURA_BASE_URL``, else
            ``http://127.0.0.1:3000``); a trailing ``/v1`` is accepted.
        timeout: seconds for each ordinary request.
        max_retries: how often a 429 or 503 answer is retried (after its ``Retry-After``).
        max_retry_wait: the longest ``Retry-After`` that is waited for; a longer one is
            raised at once (say, ``daily_quota_exceeded``), with ``retry_after`` set.
        headers: extra headers for every request.
        http_client: an ``httpx.Client`` of your own (proxies, TLS, transports).

    Use it as a context manager, or call :meth:`close`.
    """

    def __init__(
        self,
        api_key: Optional[str] = None,
        *,
        base_url: Optional[str] = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        max_retry_wait: float = 60.0,
        headers: Optional[Mapping[str, str]] = None,
        http_client: Optional[httpx.Client] = None,
    ) -> None:
        self.api_key, self.base_url = resolve_config(api_key, base_url)
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_retry_wait = max_retry_wait
        self._own_http = http_client is None
        self._http = http_client or httpx.Client(timeout=timeout, follow_redirects=False)
        self._headers = default_headers(self.api_key, headers)
        self._sleep: Callable[[float], None] = time.sleep

    # ---- plumbing ----------------------------------------------------------------------

    def close(self) -> None:
        if self._own_http:
            self._http.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()

    def _url(self, path_or_url: str) -> str:
        return path_or_url if "://" in path_or_url else self.base_url + path_or_url

    def _request_headers(self, auth: bool, extra: Optional[Mapping[str, str]] = None) -> dict[str, str]:
        h = dict(self._headers)
        if auth and self.api_key:
            h["Authorization"] = f"Bearer {self.api_key}"
        if extra:
            h.update(extra)
        return h

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Optional[Mapping[str, Any]] = None,
        json: Any = None,
        auth: bool = True,
    ) -> httpx.Response:
        """Sends one request (with the client's retries) and returns the 2xx response.

        Raises :class:`AuraError` (or a subclass) for any other answer.
        """
        attempt = 0
        while True:
            try:
                resp = self._http.request(
                    method,
                    self._url(path),
                    params=clean(params) if params else None,
                    json=json,
                    headers=self._request_headers(auth),
                    timeout=self.timeout,
                )
            except httpx.TimeoutException as e:
                raise APIConnectionError(f"{method} {path}: timed out ({e})", code="timeout") from e
            except httpx.TransportError as e:
                raise APIConnectionError(f"{method} {path}: {e}", code="connection_error") from e
            if resp.status_code < 400:
                return resp
            err = error_from_response(resp.status_code, resp.headers, resp.content)
            delay = retry_delay(err, attempt, self.max_retries, self.max_retry_wait)
            if delay is None:
                raise err
            attempt += 1
            self._sleep(delay)

    def _run(self, op: Op[T]) -> T:
        resp = self.request(op.method, op.path, params=op.params, json=op.json, auth=op.auth)
        return op.parse(resp)

    def _pages(self, path: str, params: Mapping[str, Any], max_items: Optional[int]) -> Iterator[Any]:
        pager = Pager(max_items=max_items)
        url: Optional[str] = path
        query: Optional[Mapping[str, Any]] = params
        while url is not None:
            resp = self.request("GET", url, params=query)
            yield from pager.take(resp.json())
            url, query = pager.next(resp, self.base_url), None

    # ---- scans -------------------------------------------------------------------------

    def scan_repo(self, url: str, *, callback_url: Optional[str] = None, fresh: bool = False) -> ScanSubmission:
        """``POST /v1/scan/repo``: a GitHub URL, ``owner/repo`` or an https git URL.

        A completed scan younger than the server's cache TTL is answered at once
        (``cached=True``, ``scan`` set) unless ``fresh``; ``callback_url`` still gets its
        signed delivery then.
        """
        return self._run(ops.scan_repo(url, callback_url, fresh))

    def scan_x_profile(self, handle: str, *, callback_url: Optional[str] = None) -> ScanSubmission:
        """``POST /v1/scan/x-profile``."""
        return self._run(ops.scan_x_profile(handle, callback_url))

    def scan_compare(self, url_a: str, url_b: str, *, callback_url: Optional[str] = None) -> ScanSubmission:
        """``POST /v1/scan/compare``: clone and rebrand detection of two repositories."""
        return self._run(ops.scan_compare(url_a, url_b, callback_url))

    def get_scan(self, scan_id: str) -> Scan:
        """``GET /v1/scan/{id}``."""
        return self._run(ops.get_scan(scan_id_of(scan_id)))

    def latest(self, target: str) -> Optional[Scan]:
        """``GET /v1/scan/latest?target=``: the newest completed scan, or ``None`` if never
        scanned to completion. Starts nothing."""
        try:
            return self._run(ops.latest(target))
        except NotFoundError as e:
            if e.code == "not_found":
                return None
            raise

    def lookup(self, targets: Sequence[str]) -> list[LookupResult]:
        """``POST /v1/scan/lookup``: the newest completed scan of each target (1–100), in
        request order; ``scan`` is ``None`` where there is none. Starts nothing."""
        return self._run(ops.lookup_targets(targets))

    def iter_scans(self, *, limit: Optional[int] = None, max_items: Optional[int] = None) -> Iterator[Scan]:
        """``GET /v1/scans``: the account's own scans (started with any of its keys, its
        dashboard or its widget), newest first, page by page."""
        for item in self._pages("/v1/scans", {"limit": limit}, max_items):
            yield Scan.from_dict(item)

    def list_scans(self, *, limit: Optional[int] = None, max_items: Optional[int] = None) -> list[Scan]:
        return list(self.iter_scans(limit=limit, max_items=max_items))

    def stream_events(
        self, scan_id: str, *, last_event_id: Optional[str] = None, read_timeout: float = 45.0
    ) -> Iterator[ScanEvent]:
        """One connection to ``GET /v1/scan/{id}/stream``: yields events until the outcome
        or until the server closes. Nothing is yielded for a 204 (nothing after
        ``last_event_id``). :meth:`wait_for_result` adds resuming and polling."""
        for ev in self._stream(scan_id_of(scan_id), last_event_id, read_timeout):
            if ev is not None:
                yield ev

    def _stream(
        self, sid: str, last_event_id: Optional[str], read_timeout: float
    ) -> Generator[Optional[ScanEvent], None, None]:
        """Events of one connection; a 204 yields ``None`` once."""
        headers = {"Accept": "text/event-stream", "Cache-Control": "no-cache"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = last_event_id
        timeout = httpx.Timeout(self.timeout, read=read_timeout)
        with self._http.stream(
            "GET", self._url(ops.stream_path(sid)), headers=self._request_headers(False, headers), timeout=timeout
        ) as resp:
            if resp.status_code == 204:
                yield None
                return
            if resp.status_code >= 400:
                resp.read()
                raise error_from_response(resp.status_code, resp.headers, resp.content)
            if "text/event-stream" not in resp.headers.get("content-type", ""):
                raise StreamUnavailable(resp.headers.get("content-type", ""))
            dec = SSEDecoder()
            for line in resp.iter_lines():
                ev = dec.feed(line)
                if ev is not None:
                    yield ev
                    if ev.terminal:
                        return

    def wait_for_result(
        self,
        scan_id: Any,
        *,
        on_progress: Optional[ProgressCallback] = None,
        timeout: float = 600.0,
        poll_interval: float = 2.0,
        use_stream: bool = True,
        stream_attempts: int = 3,
    ) -> Scan:
        """Follows a scan to its end and returns the finished scan object.

        ``scan_id`` is an id, or what ``scan_repo`` returned (a cached answer returns at
        once). Events of ``GET /v1/scan/{id}/stream`` go to ``on_progress`` as they come
        (``scan_started``, ``progress``…, then ``scan_completed`` or ``scan_failed``). A
        dropped connection is resumed with ``Last-Event-ID``; after ``stream_attempts``
        connections in a row that brought nothing (or at once if the stream is not an
        event stream), the scan is polled every ``poll_interval`` seconds instead, and
        ``on_progress`` gets ``ScanEvent(polled=True)`` events for changes.

        A failed scan is returned too (``status == "failed"``, ``error`` says why).
        Raises :class:`WaitTimeoutError` after ``timeout`` seconds, :class:`NotFoundError`
        for an unknown id.
        """
        sid = scan_id_of(scan_id)
        deadline = time.monotonic() + timeout
        if isinstance(scan_id, ScanSubmission) and scan_id.scan is not None and scan_id.scan.finished:
            if on_progress is not None:
                on_progress(polled_event(scan_id.scan))
            return scan_id.scan

        last_id: Optional[str] = None
        empty = 0
        streaming = use_stream
        while streaming and empty < stream_attempts:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WaitTimeoutError(f"scan {sid} did not finish within {timeout:g} s", code="timeout")
            got = 0
            events = self._stream(sid, last_id, min(45.0, remaining + 1))
            try:
                while True:
                    try:
                        ev = next(events)
                    except StopIteration:
                        break
                    except NotFoundError:
                        raise
                    except StreamUnavailable:
                        streaming = False
                        break
                    except (AuraError, httpx.HTTPError):
                        break  # dropped, refused, 5xx, too_many_streams: resume, or poll below
                    if ev is None:  # 204: finished, nothing after what we saw
                        return self._settled(sid, deadline, poll_interval)
                    got += 1
                    if ev.id is not None:
                        last_id = ev.id
                    if on_progress is not None:
                        on_progress(ev)
                    if ev.terminal:
                        return self._settled(sid, deadline, poll_interval)
                    if time.monotonic() > deadline:
                        raise WaitTimeoutError(f"scan {sid} did not finish within {timeout:g} s", code="timeout")
            finally:
                events.close()
            empty = 0 if got else empty + 1
            if streaming and empty:
                self._sleep(min(0.5 * 2 ** (empty - 1), max(0.0, deadline - time.monotonic())))

        return self._poll(sid, deadline, poll_interval, on_progress, timeout)

    def _settled(self, sid: str, deadline: float, poll_interval: float) -> Scan:
        """The scan after its outcome event (waits out a replica that lags behind)."""
        while True:
            s = self._run(ops.get_scan(sid, auth=False))
            if s.finished or time.monotonic() >= deadline:
                return s
            self._sleep(min(poll_interval, 0.25))

    def _poll(
        self, sid: str, deadline: float, poll_interval: float, on_progress: Optional[ProgressCallback], timeout: float
    ) -> Scan:
        last: Optional[tuple[str, int]] = None
        while True:
            s = self._run(ops.get_scan(sid, auth=False))
            if on_progress is not None and (s.status, s.progress) != last:
                on_progress(polled_event(s))
            last = (s.status, s.progress)
            if s.finished:
                return s
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WaitTimeoutError(f"scan {sid} did not finish within {timeout:g} s", code="timeout")
            self._sleep(min(poll_interval, remaining))

    def scan_repo_and_wait(
        self,
        url: str,
        *,
        callback_url: Optional[str] = None,
        fresh: bool = False,
        on_progress: Optional[ProgressCallback] = None,
        timeout: float = 600.0,
    ) -> Scan:
        """:meth:`scan_repo` then :meth:`wait_for_result` (a cached answer returns at once)."""
        sub = self.scan_repo(url, callback_url=callback_url, fresh=fresh)
        return self.wait_for_result(sub, on_progress=on_progress, timeout=timeout)

    # ---- accounts and keys -------------------------------------------------------------

    def register(self, email: str, password: str, name: str) -> RegisterResponse:
        """``POST /v1/auth/register``: a free account, its first key and webhook secret."""
        return cast(RegisterResponse, self._run(ops.register(email, password, name)))

    def create_key(
        self,
        name: Optional[str] = None,
        *,
        scopes: Optional[Sequence[str]] = None,
        allowed_origins: Optional[Sequence[str]] = None,
    ) -> NewKey:
        """``POST /v1/auth/keys``; the full ``api_key`` is in the answer only."""
        return cast(NewKey, self._run(ops.create_key(name, scopes, allowed_origins)))

    def iter_keys(self, *, limit: Optional[int] = None, max_items: Optional[int] = None) -> Iterator[KeyInfo]:
        """``GET /v1/auth/keys``, page by page (``Link: rel="next"``)."""
        return self._pages("/v1/auth/keys", {"limit": limit}, max_items)

    def list_keys(self, *, limit: Optional[int] = None, max_items: Optional[int] = None) -> list[KeyInfo]:
        return list(self.iter_keys(limit=limit, max_items=max_items))

    def rotate_key(self, key_id: str, *, expire_old_in_secs: Optional[int] = None) -> NewKey:
        """``POST /v1/auth/keys/{id}/rotate``: a new key; the old one stops after the grace."""
        return cast(NewKey, self._run(ops.rotate_key(key_id, expire_old_in_secs)))

    def revoke_key(self, key_id: str) -> None:
        """``DELETE /v1/auth/keys/{id}``."""
        self._run(ops.revoke_key(key_id))

    def usage(self) -> Usage:
        """``GET /v1/auth/usage``."""
        return cast(Usage, self._run(ops.usage()))

    # ---- webhooks ----------------------------------------------------------------------

    def create_webhook(self, url: str, *, events: Optional[Sequence[str]] = None) -> Webhook:
        """``POST /v1/webhooks`` (events default to ``scan_completed`` and ``scan_failed``)."""
        return cast(Webhook, self._run(ops.create_webhook(url, events)))

    def iter_webhooks(self, *, limit: Optional[int] = None, max_items: Optional[int] = None) -> Iterator[Webhook]:
        """``GET /v1/webhooks``, page by page."""
        return self._pages("/v1/webhooks", {"limit": limit}, max_items)

    def list_webhooks(self, *, limit: Optional[int] = None, max_items: Optional[int] = None) -> list[Webhook]:
        return list(self.iter_webhooks(limit=limit, max_items=max_items))

    def delete_webhook(self, webhook_id: str) -> None:
        """``DELETE /v1/webhooks/{id}``."""
        self._run(ops.delete_webhook(webhook_id))

    def enable_webhook(self, webhook_id: str, *, replay: bool = False) -> WebhookEnableResult:
        """``POST /v1/webhooks/{id}/enable``: re-enable a disabled endpoint."""
        return cast(WebhookEnableResult, self._run(ops.enable_webhook(webhook_id, replay)))

    def test_webhook(self, webhook_id: str) -> Delivery:
        """``POST /v1/webhooks/{id}/test``: send a ``test`` event."""
        return cast(Delivery, self._run(ops.test_webhook(webhook_id)))

    def iter_deliveries(
        self,
        *,
        status: Optional[str] = None,
        webhook_id: Optional[str] = None,
        limit: Optional[int] = None,
        max_items: Optional[int] = None,
    ) -> Iterator[Delivery]:
        """``GET /v1/webhooks/deliveries``, newest first, page by page."""
        return self._pages(
            "/v1/webhooks/deliveries", {"status": status, "webhook_id": webhook_id, "limit": limit}, max_items
        )

    def list_deliveries(
        self,
        *,
        status: Optional[str] = None,
        webhook_id: Optional[str] = None,
        limit: Optional[int] = None,
        max_items: Optional[int] = None,
    ) -> list[Delivery]:
        return list(self.iter_deliveries(status=status, webhook_id=webhook_id, limit=limit, max_items=max_items))

    def get_delivery(self, delivery_id: str) -> DeliveryDetail:
        """``GET /v1/webhooks/deliveries/{id}``: the exact body and every attempt."""
        return cast(DeliveryDetail, self._run(ops.get_delivery(delivery_id)))

    def redeliver(self, delivery_id: str) -> Delivery:
        """``POST /v1/webhooks/deliveries/{id}/redeliver``: one more attempt, same id and body."""
        return cast(Delivery, self._run(ops.redeliver(delivery_id)))

    def replay_deliveries(self, since: datetime | str, *, webhook_id: Optional[str] = None) -> int:
        """``POST /v1/webhooks/deliveries/replay``: re-queue failed deliveries; how many."""
        return int(self._run(ops.replay_deliveries(since, webhook_id))["queued"])

    def rotate_webhook_secret(self, *, grace_period_secs: Optional[int] = None) -> str:
        """``POST /v1/webhooks/secret/rotate``: the new ``whsec_…`` secret."""
        return self._run(ops.rotate_webhook_secret(grace_period_secs))

    # ---- embed settings ----------------------------------------------------------------

    def get_embed_settings(self) -> EmbedSettings:
        """``GET /v1/embed/settings``."""
        return cast(EmbedSettings, self._run(ops.get_embed_settings()))

    def update_embed_settings(
        self, *, allowed_domains: Optional[Sequence[str]] = None, theme: Optional[str] = None
    ) -> EmbedSettings:
        """``PUT /v1/embed/settings`` (a field left out keeps its value)."""
        return cast(EmbedSettings, self._run(ops.update_embed_settings(allowed_domains, theme)))

    # ---- administration (an admin account's key) ---------------------------------------

    def create_partner(
        self,
        name: str,
        email: str,
        tier: str = "partner",
        *,
        allowed_domains: Optional[Sequence[str]] = None,
        partner_slug: Optional[str] = None,
    ) -> NewPartner:
        """``POST /v1/admin/partners``: onboard a partner (first key, webhook secret, invite)."""
        return cast(NewPartner, self._run(ops.create_partner(name, email, tier, allowed_domains, partner_slug)))

    def invite_partner(self, account_id: str) -> str:
        """``POST /v1/admin/partners/{id}/invite``: a new invitation URL."""
        return self._run(ops.invite_partner(account_id))

    def iter_partners(
        self,
        *,
        q: Optional[str] = None,
        role: Optional[str] = None,
        limit: Optional[int] = None,
        max_items: Optional[int] = None,
    ) -> Iterator[Partner]:
        """``GET /v1/admin/partners``, page by page."""
        return self._pages("/v1/admin/partners", {"q": q, "role": role, "limit": limit}, max_items)

    def list_partners(
        self,
        *,
        q: Optional[str] = None,
        role: Optional[str] = None,
        limit: Optional[int] = None,
        max_items: Optional[int] = None,
    ) -> list[Partner]:
        return list(self.iter_partners(q=q, role=role, limit=limit, max_items=max_items))

    def update_partner(
        self, account_id: str, *, tier: Optional[str] = None, status: Optional[str] = None
    ) -> Partner:
        """``PATCH /v1/admin/partners/{id}``: change tier, suspend (``status="suspended"``)."""
        return cast(Partner, self._run(ops.update_partner(account_id, tier, status)))

    def iter_audit(
        self,
        *,
        actor: Optional[str] = None,
        action: Optional[str] = None,
        target: Optional[str] = None,
        limit: Optional[int] = None,
        max_items: Optional[int] = None,
    ) -> Iterator[AuditEntry]:
        """``GET /v1/admin/audit``, newest first, page by page."""
        return self._pages(
            "/v1/admin/audit", {"actor": actor, "action": action, "target": target, "limit": limit}, max_items
        )

    def list_audit(
        self,
        *,
        actor: Optional[str] = None,
        action: Optional[str] = None,
        target: Optional[str] = None,
        limit: Optional[int] = None,
        max_items: Optional[int] = None,
    ) -> list[AuditEntry]:
        return list(self.iter_audit(actor=actor, action=action, target=target, limit=limit, max_items=max_items))

    def list_jobs(self, *, status: Optional[str] = None, limit: Optional[int] = None) -> list[dict[str, Any]]:
        """``GET /v1/admin/jobs`` (``status=dead`` for the dead-letter queue)."""
        return list(self._pages("/v1/admin/jobs", {"status": status, "limit": limit}, None))

    def retry_job(self, job_id: str) -> Any:
        """``POST /v1/admin/jobs/{id}/retry``: re-run a dead job."""
        return self._run(ops.retry_job(job_id))

    # ---- service -----------------------------------------------------------------------

    def info(self) -> dict[str, Any]:
        """``GET /info``: ``{"name", "version"}``."""
        return cast("dict[str, Any]", self._run(ops.info()))

    def health(self) -> bool:
        """``GET /health``: ``True`` when the server and its database answer."""
        try:
            resp = self._http.get(self._url("/health"), timeout=self.timeout)
        except httpx.HTTPError:
            return False
        return resp.status_code == 200
