"""Fixtures: the real release server binary on a random port with a fresh SQLite database,
its worker, and loopback stand-ins for GitHub/OSV.

The binary is ``$AURA_SERVER_BIN``, else ``target/release/server`` of the repository.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from standins import GitHub, Receiver  # noqa: E402

import aurasecurity  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[3]
SECRET_KEY = "5c" * 32
_counter = itertools.count(1)


def unique(prefix: str) -> str:
    """A repository name no other test uses (so no scan is cached by accident)."""
    return f"{prefix}{os.getpid()}x{next(_counter)}"


def server_binary() -> Path:
    p = Path(os.environ.get("AURA_SERVER_BIN") or REPO_ROOT / "target" / "release" / "server")
    if not p.is_file():
        pytest.fail(f"server binary {p} not found: run `cargo leptos build --release` or set AURA_SERVER_BIN", pytrace=False)
    return p


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    admin_key: str
    data_dir: Path
    log_path: Path
    process: subprocess.Popen[bytes]
    github: GitHub

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _env(data: Path, port: int, github: GitHub) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AURA_", "LEPTOS_", "DATABASE_URL", "REDIS_URL"))}
    env.update(
        AURA_DATA_DIR=str(data),
        AURA_DATABASE_URL=f"sqlite://{data}/sdk.db?mode=rwc",
        AURA_SECRET_KEY=SECRET_KEY,
        LEPTOS_SITE_ADDR=f"127.0.0.1:{port}",
        AURA_ALLOW_PRIVATE_TARGETS="true",
        AURA_GITHUB_API_URL=github.url,
        AURA_OSV_API_URL=github.url,
        AURA_X_API_URL="http://127.0.0.1:9",
        AURA_WEBHOOK_RETRY_DELAYS="1,1,1",
        AURA_SCAN_RETRY_DELAYS="0,0",
        RUST_LOG=os.environ.get("AURA_SDK_TEST_RUST_LOG", "warn"),
    )
    site = REPO_ROOT / "target" / "site"
    if site.is_dir():
        env["LEPTOS_SITE_ROOT"] = str(site)
    return env


@pytest.fixture(scope="session")
def github() -> Iterator[GitHub]:
    gh = GitHub(archive_delay=float(os.environ.get("AURA_SDK_TEST_ARCHIVE_DELAY", "1.0")))
    yield gh
    gh.close()


@pytest.fixture(scope="session")
def server(github: GitHub) -> Iterator[Server]:
    binary = server_binary()
    data = Path(tempfile.mkdtemp(prefix="aura-sdk-py-"))
    port = free_port()
    env = _env(data, port, github)
    created = subprocess.run(
        [str(binary), "admin", "create", "--email", "admin@sdk.test", "--password-stdin"],
        input=b"sdk admin password\n",
        env=env,
        cwd=data,
        capture_output=True,
        timeout=120,
    )
    if created.returncode != 0:
        pytest.fail(f"admin create failed: {created.stderr.decode(errors='replace')}", pytrace=False)
    admin_key = created.stdout.decode().strip().splitlines()[-1]
    log_path = data / "server.log"
    log = open(log_path, "wb")
    proc = subprocess.Popen([str(binary)], env=env, cwd=data, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    srv = Server(url, admin_key, data, log_path, proc, github)
    try:
        for _ in range(300):
            if proc.poll() is not None:
                pytest.fail(f"the server exited with {proc.returncode}:\n{srv.log()}", pytrace=False)
            try:
                if httpx.get(url + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        else:
            pytest.fail(f"the server did not answer /health in 30 s:\n{srv.log()}", pytrace=False)
        yield srv
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=25)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        text = srv.log()
        if "panicked" in text:
            print("the server panicked during the run:\n" + text, file=sys.stderr)
        if os.environ.get("AURA_SDK_TEST_KEEP_DATA"):
            print(f"server data kept in {data}", file=sys.stderr)
        else:
            shutil.rmtree(data, ignore_errors=True)


@dataclass
class Partner:
    account_id: str
    api_key: str
    webhook_secret: str
    slug: str


@pytest.fixture(scope="session")
def admin(server: Server) -> Iterator[aurasecurity.Client]:
    with aurasecurity.Client(server.admin_key, base_url=server.url) as c:
        yield c


@pytest.fixture(scope="session")
def partner(admin: aurasecurity.Client) -> Partner:
    """A partner-tier account (100 calls a minute, 20 concurrent scans), onboarded by the admin."""
    p = admin.create_partner("SDK Partner", "partner@sdk.test", "partner")
    return Partner(p["account_id"], p["api_key"], p["webhook_secret"], p["partner_slug"])


@pytest.fixture()
def client(server: Server, partner: Partner) -> Iterator[aurasecurity.Client]:
    with aurasecurity.Client(partner.api_key, base_url=server.url) as c:
        yield c


@pytest.fixture()
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()
