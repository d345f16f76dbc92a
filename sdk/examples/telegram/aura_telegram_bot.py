#!/usr/bin/env python3
"""AuraSecurity reference Telegram bot, built on the ``aurasecurity`` SDK.

    /scan owner/repo      (or a GitHub URL) → a trust scan; the verdict is posted when it ends

How it works:

* Telegram → bot: **long polling** (``getUpdates``), so the bot needs no public HTTPS
  endpoint for Telegram and no ``setWebhook``.
* bot → AuraSecurity: ``POST /v1/scan/repo`` with ``callback_url`` = this bot's own HTTP
  receiver (``BOT_PUBLIC_URL`` + ``/aura/callback``).
* AuraSecurity → bot: the signed ``scan_completed`` / ``scan_failed`` delivery, verified with
  ``aurasecurity.verify_webhook`` (both signature schemes, 5-minute replay window),
  de-duplicated on its delivery id.
* bot → Telegram: ``sendMessage`` with score, grade, verdict, top flags and report link.

Which chat asked for which scan is kept **in memory** (``ScanRegistry``): a restart forgets
scans in flight. A production bot persists that mapping (and the seen delivery ids) in a
database, and runs the receiver behind HTTPS.

Configuration (environment):

    TELEGRAM_BOT_TOKEN     the token from @BotFather (required)
    TELEGRAM_API_URL       Bot API base, default https://api.telegram.org
    AURA_API_KEY           aura_pk_… (required)
    AURA_BASE_URL          AuraSecurity base URL
    AURA_WEBHOOK_SECRET    whsec_… of the same account (required); several, comma-separated,
                           while switching after a secret rotation
    BOT_LISTEN             host:port of the callback receiver, default 0.0.0.0:8080
    BOT_PUBLIC_URL         how AuraSecurity reaches the receiver, e.g. https://bot.example.com
                           (default http://<BOT_LISTEN>)
    BOT_POLL_TIMEOUT       getUpdates long-poll seconds, default 25
"""

from __future__ import annotations

import html
import logging
import os
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional

import httpx

import aurasecurity
from aurasecurity import AuraError, WebhookVerificationError, verify_webhook

log = logging.getLogger("aura_telegram_bot")

CALLBACK_PATH = "/aura/callback"
MAX_BODY = 1 << 20
SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
SEVERITY_MARK = {"critical": "🟥", "high": "🔴", "medium": "🟠", "low": "🟡", "info": "⚪"}
VERDICT_MARK = {"SAFU": "✅", "DYOR": "🟡", "RISKY": "⚠️", "SCAM": "🚨"}
TARGET = re.compile(r"^(?:https://github\.com/)?[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+?(?:\.git)?/?$")
HELP = (
    "Send <code>/scan owner/repo</code> (or a GitHub link) and I will post AuraSecurity's "
    "trust score, grade, verdict and top red flags when the scan ends."
)


@dataclass
class Config:
    telegram_token: str
    aura_api_key: str
    webhook_secrets: list[str]
    telegram_api_url: str = "https://api.telegram.org"
    aura_base_url: Optional[str] = None
    listen_host: str = "0.0.0.0"
    listen_port: int = 8080
    public_url: Optional[str] = None
    poll_timeout: int = 25

    @classmethod
    def from_env(cls) -> "Config":
        def need(name: str) -> str:
            v = os.environ.get(name, "").strip()
            if not v:
                raise SystemExit(f"{name} is required")
            return v

        host, _, port = os.environ.get("BOT_LISTEN", "0.0.0.0:8080").rpartition(":")
        return cls(
            telegram_token=need("TELEGRAM_BOT_TOKEN"),
            aura_api_key=need("AURA_API_KEY"),
            webhook_secrets=[s.strip() for s in need("AURA_WEBHOOK_SECRET").split(",") if s.strip()],
            telegram_api_url=os.environ.get("TELEGRAM_API_URL", "https://api.telegram.org"),
            aura_base_url=os.environ.get("AURA_BASE_URL"),
            listen_host=host or "0.0.0.0",
            listen_port=int(port),
            public_url=os.environ.get("BOT_PUBLIC_URL"),
            poll_timeout=int(os.environ.get("BOT_POLL_TIMEOUT", "25")),
        )


class TelegramError(Exception):
    pass


class Telegram:
    """The few Bot API methods the bot uses (JSON over HTTPS)."""

    def __init__(self, token: str, api_url: str, poll_timeout: int) -> None:
        self.base = f"{api_url.rstrip('/')}/bot{token}"
        self.http = httpx.Client(timeout=httpx.Timeout(10.0, read=poll_timeout + 10.0))

    def call(self, method: str, **params: Any) -> Any:
        resp = self.http.post(f"{self.base}/{method}", json=params)
        try:
            body = resp.json()
        except ValueError:
            raise TelegramError(f"{method}: HTTP {resp.status_code}") from None
        if not body.get("ok"):
            raise TelegramError(f"{method}: {body.get('error_code')} {body.get('description')}")
        return body["result"]

    def send_message(self, chat_id: int, text: str) -> Any:
        return self.call("sendMessage", chat_id=chat_id, text=text, parse_mode="HTML", disable_web_page_preview=True)

    def close(self) -> None:
        self.http.close()


@dataclass
class Pending:
    chat_id: int
    target: str


@dataclass
class ScanRegistry:
    """In-memory chat↔scan mapping. A delivery may arrive before ``scan_repo`` has
    returned to us (a cached result is delivered at once): it waits here for its chat."""

    chats: dict[str, list[Pending]] = field(default_factory=dict)
    early: dict[str, dict[str, Any]] = field(default_factory=dict)
    seen_deliveries: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def register(self, scan_id: str, who: Pending) -> Optional[dict[str, Any]]:
        """Records who waits for ``scan_id``; returns its outcome if it already came."""
        with self.lock:
            if scan_id in self.early:
                return self.early.pop(scan_id)
            self.chats.setdefault(scan_id, []).append(who)
            return None

    def outcome(self, delivery_id: str, payload: dict[str, Any]) -> list[Pending]:
        """The chats waiting for this outcome (none for a repeated delivery)."""
        with self.lock:
            if delivery_id and delivery_id in self.seen_deliveries:
                return []
            if delivery_id:
                self.seen_deliveries.add(delivery_id)
            scan_id = str(payload.get("scan_id", ""))
            waiting = self.chats.pop(scan_id, [])
            if not waiting:
                self.early[scan_id] = payload
            return waiting


def format_outcome(payload: dict[str, Any], target: str, top: int = 3) -> str:
    """The chat message for a delivery body (HTML parse mode)."""
    e = html.escape
    name = e(str(payload.get("target") or target))
    if payload.get("event") == "scan_failed":
        return f"❌ <b>Scan of {name} failed</b>\n{e(str(payload.get('error') or 'unknown error'))}"
    verdict = str(payload.get("verdict") or "?")
    lines = [
        f"🛡 <b>AuraSecurity: {name}</b>",
        f"{VERDICT_MARK.get(verdict, '')} <b>{e(verdict)}</b> · score <b>{payload.get('score')}/100</b> · grade <b>{e(str(payload.get('grade')))}</b>",
    ]
    tags = payload.get("tags") or []
    if tags:
        lines.append(e(" ".join(str(t) for t in tags[:6])))
    flags = sorted(
        enumerate(payload.get("red_flags") or []),
        key=lambda p: (SEVERITY_ORDER.get(str(p[1].get("severity")), 9), p[0]),
    )
    if flags:
        lines.append("")
        lines.append("<b>Top flags</b>")
        for _, f in flags[:top]:
            sev = str(f.get("severity", "info"))
            lines.append(f"{SEVERITY_MARK.get(sev, '•')} {e(sev)}: {e(str(f.get('title', '')))}")
    else:
        lines.append("No red flags.")
    if payload.get("report_url"):
        lines.append("")
        lines.append(f'<a href="{e(str(payload["report_url"]), quote=True)}">Full report</a>')
    return "\n".join(lines)


class AuraBot:
    def __init__(self, config: Config, *, aura: Optional[aurasecurity.Client] = None) -> None:
        self.config = config
        self.aura = aura or aurasecurity.Client(config.aura_api_key, base_url=config.aura_base_url)
        self.telegram = Telegram(config.telegram_token, config.telegram_api_url, config.poll_timeout)
        self.registry = ScanRegistry()
        self._stop = threading.Event()
        self.receiver = self._make_receiver()
        addr = self.receiver.server_address
        host, port = str(addr[0]), int(addr[1])
        self.callback_url = (config.public_url or f"http://{host}:{port}").rstrip("/") + CALLBACK_PATH
        self._threads: list[threading.Thread] = []

    # ---- the callback receiver (AuraSecurity → bot) ---------------------------------------

    def _make_receiver(self) -> ThreadingHTTPServer:
        bot = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, fmt: str, *args: Any) -> None:
                log.debug("receiver: " + fmt, *args)

            def _answer(self, status: int, text: str) -> None:
                data = text.encode()
                self.send_response(status)
                self.send_header("content-type", "text/plain")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                if self.path.split("?")[0] != CALLBACK_PATH:
                    return self._answer(404, "not found")
                length = int(self.headers.get("content-length") or 0)
                if length > MAX_BODY:
                    return self._answer(413, "too large")
                body = self.rfile.read(length)
                try:
                    payload = verify_webhook(body, self.headers.items(), bot.config.webhook_secrets)
                except WebhookVerificationError as e:
                    log.warning("rejected a callback: %s", e)
                    return self._answer(401, e.code)
                # Answer first: AuraSecurity should not wait for (or retry because of) Telegram.
                self._answer(200, "ok")
                bot.on_delivery(self.headers.get("x-aurasecurity-delivery") or self.headers.get("webhook-id") or "", dict(payload))

        server = ThreadingHTTPServer((self.config.listen_host, self.config.listen_port), Handler)
        server.daemon_threads = True
        return server

    def on_delivery(self, delivery_id: str, payload: dict[str, Any]) -> None:
        if payload.get("event") not in ("scan_completed", "scan_failed"):
            return  # a `test` event, or one this bot does not know
        for who in self.registry.outcome(delivery_id, payload):
            self._send(who.chat_id, format_outcome(payload, who.target))

    # ---- commands (Telegram → bot) -----------------------------------------------------------

    def handle_update(self, update: dict[str, Any]) -> None:
        msg = update.get("message") or update.get("channel_post")
        if not msg or not isinstance(msg.get("text"), str):
            return
        chat_id = int(msg["chat"]["id"])
        parts = msg["text"].strip().split()
        if not parts:
            return
        command = parts[0].split("@", 1)[0].lower()
        if command in ("/start", "/help"):
            self._send(chat_id, HELP)
        elif command == "/scan":
            self.start_scan(chat_id, parts[1] if len(parts) > 1 else "")

    def start_scan(self, chat_id: int, target: str) -> None:
        target = target.strip()
        if not TARGET.match(target):
            self._send(chat_id, "Usage: <code>/scan owner/repo</code> or <code>/scan https://github.com/owner/repo</code>")
            return
        try:
            sub = self.aura.scan_repo(target, callback_url=self.callback_url)
        except AuraError as e:
            self._send(chat_id, self._error_text(target, e))
            return
        early = self.registry.register(sub.scan_id, Pending(chat_id, target))
        if sub.cached:
            note = "Recent result found, posting it now."
        else:
            note = "Scanning… I will post the verdict here."
        self._send(chat_id, f"🔎 <b>{html.escape(target)}</b>: {note}")
        if early is not None:
            self._send(chat_id, format_outcome(early, target))

    @staticmethod
    def _error_text(target: str, e: AuraError) -> str:
        t = html.escape(target)
        if e.code == "invalid_target":
            return f"<b>{t}</b> is not a repository I can scan."
        if e.status == 429:
            wait = f" Try again in {int(e.retry_after)} s." if e.retry_after else ""
            return f"Too many scans right now ({html.escape(e.code)}).{wait}"
        return f"Could not start the scan of <b>{t}</b>: {html.escape(e.message)}"

    def _send(self, chat_id: int, text: str) -> None:
        try:
            self.telegram.send_message(chat_id, text)
        except (TelegramError, httpx.HTTPError) as e:
            log.error("sendMessage to %s failed: %s", chat_id, e)

    # ---- running -----------------------------------------------------------------------------

    def poll_forever(self) -> None:
        offset = 0
        backoff = 1.0
        while not self._stop.is_set():
            try:
                updates = self.telegram.call("getUpdates", offset=offset, timeout=self.config.poll_timeout, allowed_updates=["message"])
                backoff = 1.0
            except (TelegramError, httpx.HTTPError) as e:
                log.warning("getUpdates failed: %s (retrying in %.0f s)", e, backoff)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 60.0)
                continue
            for u in updates:
                offset = max(offset, int(u["update_id"]) + 1)
                try:
                    self.handle_update(u)
                except Exception:  # one bad update must not stop the bot
                    log.exception("handling update %s failed", u.get("update_id"))

    def start(self) -> None:
        """Runs the receiver and the poller in background threads."""
        for target in (self.receiver.serve_forever, self.poll_forever):
            t = threading.Thread(target=target, daemon=True)
            t.start()
            self._threads.append(t)
        log.info("receiving AuraSecurity callbacks at %s", self.callback_url)

    def stop(self) -> None:
        self._stop.set()
        self.receiver.shutdown()
        self.receiver.server_close()
        for t in self._threads:
            t.join(timeout=self.config.poll_timeout + 5)
        self.telegram.close()
        self.aura.close()

    def run(self) -> None:
        self.start()
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            self.stop()


def main() -> None:
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"), format="%(asctime)s %(levelname)s %(message)s")
    AuraBot(Config.from_env()).run()


if __name__ == "__main__":
    main()

__all__ = ["AuraBot", "Config", "ScanRegistry", "Telegram", "format_outcome"]
