"""Types of the API's objects.

Scan-related objects are frozen dataclasses built from the JSON (each keeps the decoded
JSON in ``raw``, so fields added by newer servers stay reachable). Account, key, webhook
and admin objects are returned as plain ``dict``s described by the ``TypedDict``s below.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Optional, TypedDict

__all__ = [
    "ScanKind",
    "ScanStatus",
    "Grade",
    "Verdict",
    "Severity",
    "Flag",
    "Check",
    "ScanResult",
    "Scan",
    "ScanSubmission",
    "ScanEvent",
    "LookupResult",
    "RegisterResponse",
    "KeySummary",
    "NewKey",
    "KeyInfo",
    "UsageLimits",
    "UsageToday",
    "UsageDay",
    "UsageTopRepo",
    "Usage",
    "Webhook",
    "WebhookEnableResult",
    "Delivery",
    "DeliveryAttempt",
    "DeliveryDetail",
    "EmbedSettings",
    "Partner",
    "NewPartner",
    "AuditEntry",
    "WebhookPayload",
]

ScanKind = Literal["repo", "x_profile", "compare"]
ScanStatus = Literal["queued", "running", "completed", "failed"]
Grade = Literal["A", "B", "C", "D", "F"]
Verdict = Literal["SAFU", "DYOR", "RISKY", "SCAM"]
Severity = Literal["critical", "high", "medium", "low", "info"]

_SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}


@dataclass(frozen=True)
class Flag:
    """A red or green flag of a result."""

    id: str
    severity: str
    title: str
    detail: str

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Flag":
        return cls(
            id=str(d.get("id", "")),
            severity=str(d.get("severity", "info")),
            title=str(d.get("title", "")),
            detail=str(d.get("detail", "")),
        )


@dataclass(frozen=True)
class Check:
    """One scored check: the score is the sum of its checks' ``points``."""

    id: str
    name: str
    status: str  # pass | warn | fail | info
    points: float
    detail: str

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Check":
        return cls(
            id=str(d.get("id", "")),
            name=str(d.get("name", "")),
            status=str(d.get("status", "info")),
            points=d.get("points", 0) or 0,
            detail=str(d.get("detail", "")),
        )


@dataclass(frozen=True)
class ScanResult:
    """A completed scan's score, grade, verdict and their explanation."""

    score: int
    grade: str
    verdict: str
    summary: str
    tags: list[str]
    red_flags: list[Flag]
    green_flags: list[Flag]
    checks: list[Check]
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "ScanResult":
        return cls(
            score=int(d.get("score", 0)),
            grade=str(d.get("grade", "")),
            verdict=str(d.get("verdict", "")),
            summary=str(d.get("summary", "")),
            tags=[str(t) for t in d.get("tags") or []],
            red_flags=[Flag.from_dict(f) for f in d.get("red_flags") or []],
            green_flags=[Flag.from_dict(f) for f in d.get("green_flags") or []],
            checks=[Check.from_dict(c) for c in d.get("checks") or []],
            raw=d,
        )

    def top_red_flags(self, n: int = 3) -> list[Flag]:
        """The ``n`` most severe red flags (critical first, in the server's order otherwise)."""
        ranked = sorted(
            enumerate(self.red_flags), key=lambda p: (_SEVERITY_RANK.get(p[1].severity, 9), p[0])
        )
        return [f for _, f in ranked[:n]]


@dataclass(frozen=True)
class Scan:
    """The scan object of ``GET /v1/scan/{id}``."""

    scan_id: str
    kind: str
    target: str
    status: str
    progress: int
    created_at: str
    completed_at: Optional[str]
    report_url: str
    stream_url: Optional[str]
    cached: Optional[bool]
    error: Optional[str]
    result: Optional[ScanResult]
    raw: dict[str, Any] = field(repr=False, compare=False)

    @property
    def finished(self) -> bool:
        """``True`` once ``completed`` or ``failed``."""
        return self.status in ("completed", "failed")

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Scan":
        res = d.get("result")
        return cls(
            scan_id=str(d["scan_id"]),
            kind=str(d.get("kind", "")),
            target=str(d.get("target", "")),
            status=str(d.get("status", "")),
            progress=int(d.get("progress") or 0),
            created_at=str(d.get("created_at", "")),
            completed_at=d.get("completed_at"),
            report_url=str(d.get("report_url", "")),
            stream_url=d.get("stream_url"),
            cached=d.get("cached"),
            error=d.get("error"),
            result=ScanResult.from_dict(res) if isinstance(res, dict) else None,
            raw=d,
        )


@dataclass(frozen=True)
class ScanSubmission:
    """What ``scan_repo`` / ``scan_x_profile`` / ``scan_compare`` answer.

    A new scan (HTTP 202) has ``status == "queued"`` and ``scan is None``; a cached answer
    (HTTP 200, repository scans only) has ``cached == True`` and the completed ``scan``.
    """

    scan_id: str
    status: str
    stream_url: str
    report_url: str
    cached: bool
    scan: Optional[Scan]
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_response(cls, status_code: int, d: dict[str, Any]) -> "ScanSubmission":
        scan = Scan.from_dict(d) if status_code == 200 or "kind" in d else None
        return cls(
            scan_id=str(d["scan_id"]),
            status=str(d.get("status", "queued")),
            stream_url=str(d.get("stream_url") or ""),
            report_url=str(d.get("report_url") or ""),
            cached=bool(d.get("cached", False)),
            scan=scan,
            raw=d,
        )


@dataclass(frozen=True)
class ScanEvent:
    """One server-sent event of ``GET /v1/scan/{id}/stream``.

    ``event`` is ``scan_started`` (``data``: ``scanId``, ``repo``), ``progress``
    (``percent``, ``message``), ``scan_completed`` (``scanId``, ``score``, ``grade``,
    ``verdict``, ``reportUrl``) or ``scan_failed`` (``scanId``, ``error``). ``polled`` is
    ``True`` for progress synthesised from polling when the stream was unavailable.
    """

    event: str
    data: dict[str, Any]
    id: Optional[str] = None
    polled: bool = False

    @property
    def terminal(self) -> bool:
        return self.event in ("scan_completed", "scan_failed")

    @property
    def percent(self) -> Optional[int]:
        if self.event == "progress":
            p = self.data.get("percent")
            return int(p) if isinstance(p, (int, float)) else None
        if self.event == "scan_completed":
            return 100
        return None

    @property
    def message(self) -> Optional[str]:
        m = self.data.get("message")
        return m if isinstance(m, str) else None


@dataclass(frozen=True)
class LookupResult:
    """One entry of ``POST /v1/scan/lookup``: ``target`` as sent, ``scan`` or ``None``."""

    target: str
    scan: Optional[Scan]


# ---- account, key, webhook, admin objects (plain dicts at run time) -------------------


class KeySummary(TypedDict):
    id: str
    prefix: str
    tier: str


class RegisterResponse(TypedDict):
    account_id: str
    partner_slug: str
    api_key: str
    webhook_secret: str
    key: KeySummary


class NewKey(TypedDict, total=False):
    id: str
    api_key: str
    prefix: str
    name: str
    tier: str
    scopes: list[str]
    allowed_origins: list[str]
    created_at: str


class KeyInfo(TypedDict, total=False):
    id: str
    prefix: str
    name: str
    tier: str
    scopes: list[str]
    allowed_origins: list[str]
    created_at: str
    last_used_at: Optional[str]
    revoked_at: Optional[str]


class UsageLimits(TypedDict):
    per_minute: Optional[int]
    per_day: Optional[int]
    concurrent_scans: Optional[int]


class UsageToday(TypedDict):
    requests: int
    scans: int


class UsageDay(TypedDict):
    date: str
    requests: int
    scans: int


class UsageTopRepo(TypedDict):
    target: str
    scans: int


class Usage(TypedDict):
    tier: str
    limits: UsageLimits
    today: UsageToday
    daily: list[UsageDay]
    top_repos: list[UsageTopRepo]


class Webhook(TypedDict, total=False):
    id: str
    url: str
    events: list[str]
    created_at: str
    failing_since: Optional[str]
    disabled_at: Optional[str]
    disabled_reason: Optional[str]


class WebhookEnableResult(TypedDict):
    webhook: Webhook
    replayed: int


class Delivery(TypedDict, total=False):
    id: str
    webhook_id: Optional[str]
    url: str
    event: str
    scan_id: Optional[str]
    status: str  # pending | sent | failed
    attempts: int
    last_status_code: Optional[int]
    last_error: Optional[str]
    created_at: str
    updated_at: str


class DeliveryAttempt(TypedDict, total=False):
    attempt: int
    status_code: Optional[int]
    error: Optional[str]
    guard_refused: bool
    latency_ms: int
    created_at: str


class DeliveryDetail(Delivery, total=False):
    payload: Any
    attempts_log: list[DeliveryAttempt]


class EmbedSettings(TypedDict):
    allowed_domains: list[str]
    theme: str


class Partner(TypedDict, total=False):
    account_id: str
    name: str
    email: str
    role: str
    tier: str
    status: str
    partner_slug: str
    created_at: str


class NewPartner(TypedDict):
    account_id: str
    partner_slug: str
    api_key: str
    webhook_secret: str
    invite_url: str


class AuditEntry(TypedDict, total=False):
    id: str
    actor: str
    action: str
    target: Optional[str]
    ip: Optional[str]
    user_agent: Optional[str]
    details: Any
    created_at: str


class WebhookPayload(TypedDict, total=False):
    """The JSON body of a webhook delivery (``scan_completed``, ``scan_failed`` or ``test``)."""

    event: str
    scan_id: str
    target: str
    score: Optional[int]
    grade: Optional[str]
    verdict: Optional[str]
    report_url: str
    tags: list[str]
    red_flags: list[dict[str, Any]]
    green_flags: list[dict[str, Any]]
    error: str
