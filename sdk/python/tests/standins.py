"""Loopback stand-ins for the services around the server under test: GitHub's REST API
(and OSV's batch query), a webhook receiver, and Telegram's Bot API.

Each is a ``ThreadingHTTPServer`` on 127.0.0.1 with a random port, run in a daemon thread.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import tarfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Optional
from urllib.parse import parse_qs, urlsplit


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class StandIn:
    """Base: serve ``handle(method, path, query, headers, body) -> (status, headers, body)``."""

    def __init__(self) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _do(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                u = urlsplit(self.path)
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    status, hdrs, out = outer.handle(self.command, u.path, parse_qs(u.query), headers, body)
                except Exception as e:  # a bug in a stand-in shows as a 500 with its text
                    status, hdrs, out = 500, {"content-type": "text/plain"}, repr(e).encode()
                self.send_response(status)
                for k, v in hdrs.items():
                    self.send_header(k, v)
                self.send_header("content-length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _do

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def handle(
        self, method: str, path: str, query: dict[str, list[str]], headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        raise NotImplementedError

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _json(status: int, value: Any, extra: Optional[dict[str, str]] = None) -> tuple[int, dict[str, str], bytes]:
    h = {"content-type": "application/json"}
    if extra:
        h.update(extra)
    return status, h, json.dumps(value).encode()


def _iso(days_ago: int) -> str:
    return (datetime.now(timezone.utc) - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")


def healthy_files(seed: int) -> dict[str, str]:
    """A small, healthy TypeScript project (as server/tests/common/github.rs serves)."""
    files = {
        "README.md": f"# Orbit {seed}\n\nOrbit is a TypeScript SDK for building wallets and payment flows. It wraps transaction building, signing, fee estimation and confirmation tracking behind a small typed API.\n\n## Install\n\n```sh\nnpm install @orbit/sdk{seed}\n```\n\n## Contributing\n\nRun `npm test` before opening a pull request. Security reports go to SECURITY.md.\n",
        "LICENSE": "MIT License\n\nCopyright (c) 2023 Orbit\n\nPermission is hereby granted, free of charge, to any person obtaining a copy of this software.\n",
        "package.json": json.dumps({"name": f"@orbit/sdk{seed}", "version": "1.0.0", "license": "MIT", "scripts": {"test": "vitest"}, "devDependencies": {"vitest": "^1.0.0"}}),
        ".github/workflows/ci.yml": "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: npm ci && npm test\n",
    }
    for i in range(10):
        n = seed * 100 + i
        extra = "".join(f"  step{k}(x: number): number {{ return x * {n + k} + {k}; }}\n" for k in range(n % 7 + 2))
        files[f"src/mod{i}.ts"] = (
            f"export interface Options{n} {{ retries: number; timeoutMs: number }}\n\n"
            f"export function backoff{n}(attempt: number, opts: Options{n}): number {{\n"
            f"  const base = Math.min(opts.timeoutMs, 100 * 2 ** attempt);\n  return base + Math.floor(Math.random() * {n});\n}}\n\n"
            f"export class Queue{n}<T> {{\n  private items: T[] = [];\n  push(x: T) {{ this.items.push(x); }}\n  pop(): T | undefined {{ return this.items.shift(); }}\n{extra}}}\n"
        )
        if i % 3 == 0:
            files[f"test/mod{i}.test.ts"] = (
                f"import {{ backoff{n} }} from '../src/mod{i}';\nimport {{ test, expect }} from 'vitest';\n"
                f"test('grows', () => {{ expect(backoff{n}(3, {{ retries: 1, timeoutMs: 10000 }})).toBeGreaterThan(700); }});\n"
            )
    return files


def tarball(prefix: str, files: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for path, content in files.items():
            data = content.encode()
            info = tarfile.TarInfo(f"{prefix}/{path}")
            info.size = len(data)
            info.mtime = int(time.time())
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(buf.getvalue())


class GitHub(StandIn):
    """GitHub's REST API for the endpoints the scanner calls, plus OSV's ``/v1/querybatch``
    (every package clean). Every ``owner/name`` exists (a healthy project, distinct per
    name) except names starting with ``missing``; names starting with ``fresh`` are a
    days-old, single-author project without licence, tests or CI (red flags)."""

    def __init__(self, archive_delay: float = 1.0) -> None:
        self.archive_delay = archive_delay
        self.archives_served = 0
        self.osv_batches = 0
        self.lock = threading.Lock()
        super().__init__()

    def _seed(self, owner: str, name: str) -> int:
        return sum((i + 1) * ord(c) for i, c in enumerate(f"{owner}/{name}".lower())) % 9973 + 1

    def handle(self, method, path, query, headers, body):  # type: ignore[override]
        if method == "POST" and path == "/v1/querybatch":
            with self.lock:
                self.osv_batches += 1
            queries = json.loads(body or b"{}").get("queries", [])
            return _json(200, {"results": [{} for _ in queries]})
        if path.startswith("/v1/vulns/"):
            return _json(404, {"code": 5, "message": "Bug not found."})
        not_found = _json(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
        m = re.fullmatch(r"/users/([^/]+)", path)
        if m:
            return _json(200, {"login": m.group(1), "type": "User", "created_at": _iso(2000), "followers": 300, "public_repos": 25})
        m = re.fullmatch(r"/_archive/([^/]+)/([^/]+)", path)
        if m:
            owner, name = m.groups()
            time.sleep(self.archive_delay)
            files = healthy_files(self._seed(owner, name))
            if name.lower().startswith("fresh"):
                files = {k: v for k, v in files.items() if k.startswith("src/")}
                files["README.md"] = "# moon\n"
            data = tarball(f"{owner}-{name}-abc1234", files)
            with self.lock:
                self.archives_served += 1
            return 200, {"content-type": "application/x-gzip"}, data
        m = re.fullmatch(r"/repos/([^/]+)/([^/]+)(?:/(.*))?", path)
        if not m:
            return not_found
        owner, name, rest = m.groups()
        if name.lower().startswith("missing"):
            return not_found
        fresh = name.lower().startswith("fresh")
        if rest is None:
            return _json(200, {
                "id": self._seed(owner, name), "name": name, "full_name": f"{owner}/{name}", "private": False,
                "owner": {"login": owner, "type": "User"}, "description": "A wallet SDK", "fork": False,
                "created_at": _iso(3 if fresh else 900), "updated_at": _iso(1), "pushed_at": _iso(1),
                "stargazers_count": 0 if fresh else 420, "watchers_count": 0 if fresh else 420,
                "subscribers_count": 0 if fresh else 12, "forks_count": 0 if fresh else 30,
                "open_issues_count": 0 if fresh else 4, "archived": False, "default_branch": "main",
                "license": None if fresh else {"key": "mit", "spdx_id": "MIT"},
            })
        if rest == "commits" and fresh:
            return _json(200, [
                {"sha": f"{i + 1:040x}", "commit": {"author": {"name": "moon", "email": "moon@example.org", "date": _iso(i)},
                 "committer": {"name": "moon", "date": _iso(i)}, "message": "init"}, "author": {"login": "moon", "type": "User"}}
                for i in range(2)
            ])
        if rest == "contributors" and fresh:
            return _json(200, [{"login": "moon", "id": 9, "type": "User", "contributions": 2}])
        if rest == "commits":
            who = ["alice", "bob", "carol", "dave"]
            return _json(200, [
                {"sha": f"{i + 1:040x}", "commit": {"author": {"name": who[i % 4], "email": f"{who[i % 4]}@example.org", "date": _iso(i * 20)},
                 "committer": {"name": who[i % 4], "date": _iso(i * 20)}, "message": "change"},
                 "author": {"login": who[i % 4], "type": "User"}}
                for i in range(30)
            ])
        if rest == "contributors":
            return _json(200, [
                {"login": "alice", "id": 1, "type": "User", "contributions": 40},
                {"login": "bob", "id": 2, "type": "User", "contributions": 25},
                {"login": "carol", "id": 3, "type": "User", "contributions": 12},
                {"login": "dave", "id": 4, "type": "User", "contributions": 5},
            ])
        if rest == "tarball" or rest.startswith("tarball/"):
            return 302, {"location": f"/_archive/{owner}/{name}"}, b""
        return not_found


@dataclass
class Captured:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Receiver(StandIn):
    """Records every request (raw body and headers) and answers 200."""

    def __init__(self) -> None:
        self.received: list[Captured] = []
        self.cond = threading.Condition()
        super().__init__()

    def handle(self, method, path, query, headers, body):  # type: ignore[override]
        with self.cond:
            self.received.append(Captured(method, path, headers, body))
            self.cond.notify_all()
        return 200, {"content-type": "text/plain"}, b"ok"

    def wait_for(self, pred: Callable[[Captured], bool], timeout: float = 30.0) -> Captured:
        end = time.monotonic() + timeout
        with self.cond:
            while True:
                for c in self.received:
                    if pred(c):
                        return c
                left = end - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"nothing matching arrived in {timeout} s; got {[(c.path, c.headers.get('x-aurasecurity-event')) for c in self.received]}")
                self.cond.wait(left)


@dataclass
class BotAPI(StandIn):
    """Telegram's Bot API: ``getUpdates`` long-polls a queue the test feeds; every
    ``sendMessage`` is recorded."""

    token: str = "123456:TEST-TOKEN"
    updates: list[dict[str, Any]] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.cond = threading.Condition()
        self.next_update_id = 1000
        self.calls: list[str] = []
        StandIn.__init__(self)

    def push_message(self, chat_id: int, text: str, *, username: str = "trader") -> None:
        with self.cond:
            self.next_update_id += 1
            self.updates.append({
                "update_id": self.next_update_id,
                "message": {
                    "message_id": self.next_update_id,
                    "date": int(time.time()),
                    "chat": {"id": chat_id, "type": "private", "username": username},
                    "from": {"id": chat_id, "is_bot": False, "first_name": username, "username": username},
                    "text": text,
                    "entities": [{"offset": 0, "length": len(text.split()[0]), "type": "bot_command"}] if text.startswith("/") else [],
                },
            })
            self.cond.notify_all()

    def wait_for_message(self, pred: Callable[[dict[str, Any]], bool], timeout: float = 30.0) -> dict[str, Any]:
        end = time.monotonic() + timeout
        with self.cond:
            while True:
                for m in self.sent:
                    if pred(m):
                        return m
                left = end - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no matching sendMessage in {timeout} s; sent: {self.sent}")
                self.cond.wait(left)

    def handle(self, method, path, query, headers, body):  # type: ignore[override]
        m = re.fullmatch(r"/bot([^/]+)/(\w+)", path)
        if not m or m.group(1) != self.token:
            return _json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        api = m.group(2)
        params: dict[str, Any] = {k: v[0] for k, v in query.items()}
        if body:
            ctype = headers.get("content-type", "")
            if "json" in ctype:
                params.update(json.loads(body))
            else:
                params.update({k: v[0] for k, v in parse_qs(body.decode()).items()})
        with self.cond:
            self.calls.append(api)
        if api == "getUpdates":
            offset = int(params.get("offset") or 0)
            wait = min(float(params.get("timeout") or 0), 5.0)
            end = time.monotonic() + wait
            with self.cond:
                while True:
                    # Telegram forgets updates below the offset (they are confirmed).
                    self.updates = [u for u in self.updates if u["update_id"] >= offset]
                    if self.updates or time.monotonic() >= end:
                        return _json(200, {"ok": True, "result": list(self.updates)})
                    self.cond.wait(max(0.0, end - time.monotonic()))
        if api == "sendMessage":
            with self.cond:
                self.sent.append(params)
                self.cond.notify_all()
                mid = len(self.sent)
            return _json(200, {"ok": True, "result": {"message_id": mid, "chat": {"id": params.get("chat_id")}, "text": params.get("text")}})
        if api == "getMe":
            return _json(200, {"ok": True, "result": {"id": 123456, "is_bot": True, "first_name": "Aura", "username": "aura_test_bot"}})
        return _json(200, {"ok": True, "result": True})
