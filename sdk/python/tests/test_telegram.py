"""The reference Telegram bot (sdk/examples/telegram) end to end: a stand-in Bot API on
loopback feeds it `/scan owner/repo`; the real server scans; its signed callback reaches the
bot's receiver; the stand-in receives `sendMessage` with the verdict."""

from __future__ import annotations

import html
import json
import sys
import time
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from conftest import Partner, Server, unique
from standins import BotAPI

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples" / "telegram"))

import aura_telegram_bot as tb  # noqa: E402


@pytest.fixture()
def bot_api() -> Iterator[BotAPI]:
    api = BotAPI()
    yield api
    api.close()


@pytest.fixture()
def bot(server: Server, partner: Partner, bot_api: BotAPI) -> Iterator[tb.AuraBot]:
    cfg = tb.Config(
        telegram_token=bot_api.token,
        aura_api_key=partner.api_key,
        webhook_secrets=[partner.webhook_secret],
        telegram_api_url=bot_api.url,
        aura_base_url=server.url,
        listen_host="127.0.0.1",
        listen_port=0,
        poll_timeout=1,
    )
    b = tb.AuraBot(cfg)
    b.start()
    yield b
    b.stop()


def test_scan_command_end_to_end(bot: tb.AuraBot, bot_api: BotAPI, server: Server) -> None:
    target = f"sdk-test/{unique('fresh-tg')}"  # a days-old solo project: red flags to show
    bot_api.push_message(4242, f"/scan@aura_test_bot {target}")
    ack = bot_api.wait_for_message(lambda m: m["chat_id"] == 4242 and "Scanning" in m["text"], timeout=30)
    assert target in ack["text"]
    verdict = bot_api.wait_for_message(lambda m: m["chat_id"] == 4242 and "score" in m["text"], timeout=90)
    text = verdict["text"]
    assert verdict["parse_mode"] == "HTML"
    with httpx.Client() as h:
        latest = h.get(f"{server.url}/v1/scan/latest", params={"target": target},
                       headers={"Authorization": f"Bearer {bot.aura.api_key}"}).json()
    r = latest["result"]
    assert f"AuraSecurity: {target}" in text
    assert f"score <b>{r['score']}/100</b>" in text
    assert f"grade <b>{r['grade']}</b>" in text
    assert f"<b>{r['verdict']}</b>" in text
    assert f'<a href="{latest["report_url"]}">Full report</a>' in text
    assert r["verdict"] in ("RISKY", "DYOR") and r["red_flags"], r
    assert "Top flags" in text
    rank = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
    top = sorted(r["red_flags"], key=lambda f: rank[f["severity"]])[:3]
    for f in top:
        assert f"{f['severity']}: {html.escape(f['title'])}" in text
    # The same repository again: the cached result is delivered again, to this chat.
    bot_api.push_message(4343, f"/scan https://github.com/{target}")
    again = bot_api.wait_for_message(lambda m: m["chat_id"] == 4343 and "score" in m["text"], timeout=60)
    assert f"score <b>{r['score']}/100</b>" in again["text"]


def test_bad_input_and_help(bot: tb.AuraBot, bot_api: BotAPI) -> None:
    bot_api.push_message(7, "/scan")
    assert "Usage" in bot_api.wait_for_message(lambda m: m["chat_id"] == 7)["text"]
    bot_api.push_message(8, "/help")
    assert "/scan owner/repo" in bot_api.wait_for_message(lambda m: m["chat_id"] == 8)["text"]


def test_receiver_rejects_unsigned_and_forged_callbacks(bot: tb.AuraBot, bot_api: BotAPI, partner: Partner) -> None:
    body = json.dumps({"event": "scan_completed", "scan_id": "forged", "score": 100, "grade": "A", "verdict": "SAFU",
                       "report_url": "https://evil.example", "tags": [], "red_flags": [], "green_flags": []}).encode()
    bot.registry.register("forged", tb.Pending(99, "o/r"))
    with httpx.Client() as h:
        assert h.post(bot.callback_url, content=body).status_code == 401
        forged = {"x-aurasecurity-signature": "sha256=" + "0" * 64, "x-aurasecurity-timestamp": str(int(time.time()))}
        assert h.post(bot.callback_url, content=body, headers=forged).status_code == 401
        from aurasecurity import sign_aura, sign_standard
        ts = str(int(time.time()) - 3600)  # signed, but an hour old: a replay
        old = {"webhook-id": "d1", "webhook-timestamp": ts, "webhook-signature": sign_standard(partner.webhook_secret, "d1", ts, body),
               "x-aurasecurity-signature": sign_aura(partner.webhook_secret, body)}
        assert h.post(bot.callback_url, content=body, headers=old).status_code == 401
    time.sleep(0.3)
    assert not [m for m in bot_api.sent if m["chat_id"] == 99]


def test_format_outcome() -> None:
    text = tb.format_outcome({
        "event": "scan_completed", "scan_id": "s", "score": 12, "grade": "F", "verdict": "SCAM",
        "report_url": "https://aura.example/report/s", "tags": ["#Drainer"],
        "red_flags": [{"id": "1", "severity": "low", "title": "Old <b>deps</b>"},
                      {"id": "2", "severity": "critical", "title": "Wallet drainer"},
                      {"id": "3", "severity": "high", "title": "Obfuscated loader"},
                      {"id": "4", "severity": "medium", "title": "No tests"}],
    }, "o/r")
    assert "🚨 <b>SCAM</b> · score <b>12/100</b> · grade <b>F</b>" in text
    lines = text.splitlines()
    flags = lines[lines.index("<b>Top flags</b>") + 1:][:3]
    assert ["Wallet drainer" in flags[0], "Obfuscated loader" in flags[1], "No tests" in flags[2]] == [True] * 3
    assert "Old" not in text  # only the top three
    failed = tb.format_outcome({"event": "scan_failed", "scan_id": "s", "error": "repository <not> found"}, "o/r")
    assert "failed" in failed and "&lt;not&gt;" in failed


def test_registry_handles_a_delivery_before_the_scan_id() -> None:
    reg = tb.ScanRegistry()
    payload = {"event": "scan_completed", "scan_id": "s1"}
    assert reg.outcome("d1", payload) == []  # nobody waits yet: kept
    assert reg.register("s1", tb.Pending(1, "o/r")) == payload
    assert reg.register("s2", tb.Pending(2, "o/r")) is None
    assert [p.chat_id for p in reg.outcome("d2", {"scan_id": "s2"})] == [2]
    assert reg.outcome("d2", {"scan_id": "s2"}) == []  # a retried delivery
