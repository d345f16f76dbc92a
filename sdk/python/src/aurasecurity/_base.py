"""Pieces shared by the sync and async clients: configuration, operations, paging, SSE."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Generic, Mapping, Optional, TypeVar
from urllib.parse import quote, urlsplit, urlunsplit

import httpx

from . import __version__
from .errors import AuraError
from .types import LookupResult, Scan, ScanEvent, ScanSubmission

T = TypeVar("T")

DEFAULT_BASE_URL = "http://127.0.0.1:3000"
DEFAULT_TIMEOUT = 30.0
# 503 codes that retrying cannot fix.
NO_RETRY_CODES = frozenset({"x_api_not_configured"})


def seg(value: str) -> str:
    """A path segment, percent-encoded."""
    return quote(str(value), safe="")


def scan_id_of(scan: Any) -> str:
    """Accepts a scan id, a :class:`Scan`, a :class:`ScanSubmission` or a scan dict."""
    if isinstance(scan, str):
        return scan
    if isinstance(scan, dict) and "scan_id" in scan:
        return str(scan["scan_id"])
    sid = getattr(scan, "scan_id", None)
    if isinstance(sid, str):
        return sid
    raise TypeError(f"not a scan id: {scan!r}")


@dataclass
class Op(Generic[T]):
    """One API call: what to send and how to read a successful answer."""

    method: str
    path: str
    parse: Callable[[httpx.Response], T]
    params: Optional[dict[str, Any]] = None
    json: Any = None
    auth: bool = True


def _json(resp: httpx.Response) -> Any:
    if resp.status_code == 204 or not resp.content:
        return None
    return resp.json()


def _none(resp: httpx.Response) -> None:
    return None


def clean(d: Mapping[str, Any]) -> dict[str, Any]:
    """Drops ``None`` values (fields left out of a body or query)."""
    return {k: v for k, v in d.items() if v is not None}


def resolve_config(
    api_key: Optional[str], base_url: Optional[str]
) -> tuple[Optional[str], str]:
    key = api_key if api_key is not None else os.environ.get("AURA_API_KEY")
    url = base_url or os.environ.get("AURA_BASE_URL") or DEFAULT_BASE_URL
    url = url.rstrip("/")
    if url.endswith("/v1"):
        url = url[: -len("/v1")]
    return key, url


def default_headers(api_key: Optional[str], extra: Optional[Mapping[str, str]]) -> dict[str, str]:
    h = {
        "User-Agent": f"aurasecurity-python/{__version__} httpx/{httpx.__version__}",
        "Accept": "application/json",
    }
    if extra:
        h.update(extra)
    return h


# ---- operations ------------------------------------------------------------------------

def submission(resp: httpx.Response) -> ScanSubmission:
    return ScanSubmission.from_response(resp.status_code, resp.json())


def scan(resp: httpx.Response) -> Scan:
    return Scan.from_dict(resp.json())


def lookup(resp: httpx.Response) -> list[LookupResult]:
    out = []
    for r in resp.json().get("results", []):
        s = r.get("scan")
        out.append(LookupResult(target=str(r.get("target", "")), scan=Scan.from_dict(s) if s else None))
    return out


def json_op(method: str, path: str, *, params: Any = None, body: Any = None, auth: bool = True) -> Op[Any]:
    return Op(method, path, _json, params=clean(params) if params else None, json=body, auth=auth)


def none_op(method: str, path: str, *, body: Any = None) -> Op[None]:
    return Op(method, path, _none, json=body)


# ---- paging ----------------------------------------------------------------------------

_LINK = re.compile(r'<([^>]*)>\s*((?:;\s*[^;,]*)*)')


def next_link(headers: httpx.Headers) -> Optional[str]:
    """The URL of ``Link: <…>; rel="next"``, if any."""
    for value in headers.get_list("link"):
        for m in _LINK.finditer(value):
            url, params = m.group(1), m.group(2)
            for p in params.split(";"):
                k, _, v = p.strip().partition("=")
                if k.strip().lower() == "rel" and "next" in v.strip().strip('"').lower().split():
                    return url
    return None


def rebase(url: str, base_url: str) -> str:
    """A next-page URL on the client's own origin (the key is never sent elsewhere)."""
    u, b = urlsplit(url), urlsplit(base_url)
    if not u.scheme:  # relative reference
        return base_url + (url if url.startswith("/") else "/" + url)
    if (u.scheme, u.netloc) == (b.scheme, b.netloc):
        return url
    return urlunsplit((b.scheme, b.netloc, u.path, u.query, ""))


@dataclass
class Pager:
    """State of one paged listing."""

    max_items: Optional[int] = None
    seen_urls: set[str] = field(default_factory=set)
    count: int = 0

    def take(self, body: Any) -> list[Any]:
        if not isinstance(body, list):
            raise AuraError("a list endpoint answered something other than a JSON array", code="invalid_response", body=body)
        items: list[Any] = body
        if self.max_items is not None:
            items = items[: max(0, self.max_items - self.count)]
        self.count += len(items)
        return items

    def done(self) -> bool:
        return self.max_items is not None and self.count >= self.max_items

    def next(self, resp: httpx.Response, base_url: str) -> Optional[str]:
        if self.done():
            return None
        nxt = next_link(resp.headers)
        if not nxt:
            return None
        nxt = rebase(nxt, base_url)
        if nxt in self.seen_urls:  # a server repeating itself must not loop us forever
            return None
        self.seen_urls.add(nxt)
        return nxt


# ---- server-sent events ----------------------------------------------------------------

class SSEDecoder:
    """Line-by-line decoder of ``text/event-stream`` (the WHATWG algorithm, minus retry)."""

    def __init__(self) -> None:
        self._event = ""
        self._data: list[str] = []
        self._id: Optional[str] = None
        self.last_id: Optional[str] = None

    def feed(self, line: str) -> Optional[ScanEvent]:
        line = line.rstrip("\r\n")
        if line == "":
            return self._dispatch()
        if line.startswith(":"):
            return None
        name, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
        elif name == "id":
            if "\0" not in value:
                self._id = value
                self.last_id = value
        return None

    def _dispatch(self) -> Optional[ScanEvent]:
        if not self._data and not self._event:
            return None
        text = "\n".join(self._data)
        event = self._event or "message"
        self._event, self._data = "", []
        try:
            data = json.loads(text) if text else {}
        except ValueError:
            data = {"raw": text}
        if not isinstance(data, dict):
            data = {"value": data}
        return ScanEvent(event=event, data=data, id=self.last_id)


def polled_event(s: Scan) -> ScanEvent:
    """The event a polled scan stands for (progress, or its outcome)."""
    if s.status == "completed" and s.result is not None:
        r = s.result
        return ScanEvent(
            "scan_completed",
            {"scanId": s.scan_id, "score": r.score, "grade": r.grade, "verdict": r.verdict, "reportUrl": s.report_url},
            polled=True,
        )
    if s.status == "failed":
        return ScanEvent("scan_failed", {"scanId": s.scan_id, "error": s.error}, polled=True)
    return ScanEvent("progress", {"percent": s.progress, "message": s.status}, polled=True)


class StreamUnavailable(Exception):
    """The stream answered something that is not an event stream."""


def retry_delay(err: AuraError, attempt: int, max_retries: int, max_wait: float) -> Optional[float]:
    """Seconds to wait before retrying after ``err``, or ``None`` to give up."""
    if err.status not in (429, 503) or attempt >= max_retries or err.code in NO_RETRY_CODES:
        return None
    if err.retry_after is not None:
        return float(err.retry_after) if err.retry_after <= max_wait else None
    return min(0.5 * float(2**attempt), max_wait)
