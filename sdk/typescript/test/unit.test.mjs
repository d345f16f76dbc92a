// Client logic against small loopback stand-ins: what the real server cannot be made to do on
// demand (a 503 with Retry-After, a dropped event stream, a paginated list) and the parsers.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { createServer } from "node:http";

import { AuraClient, AuraError, parseLinkHeader, parseRetryAfter, parseSse, verifyWebhook } from "../dist/index.js";

async function stand(handler) {
  const server = createServer(handler);
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return {
    base: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((ok) => { server.closeAllConnections?.(); server.close(() => ok()); }),
  };
}

const json = (res, status, body, headers = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
};

function streamOf(chunks) {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(c) {
      for (const x of chunks) c.enqueue(enc.encode(x));
      c.close();
    },
  });
}

describe("parsers", () => {
  test("SSE: fields, multi-line data, comments, CRLF and chunk boundaries anywhere", async () => {
    const text = "\uFEFF: hello\r\nid: 1\r\nevent: progress\r\ndata: {\"percent\":5,\r\ndata: \"message\":\"x\"}\r\n\r\nretry: 250\nid: 2\nevent: scan_completed\ndata: {}\n\nevent: dangling\ndata: never dispatched";
    for (const size of [1, 2, 3, 7, text.length]) {
      const chunks = [];
      for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
      const out = [];
      for await (const m of parseSse(streamOf(chunks))) out.push(m);
      assert.deepEqual(out, [
        { event: "progress", data: '{"percent":5,\n"message":"x"}', id: "1", retry: undefined },
        { event: "scan_completed", data: "{}", id: "2", retry: 250 },
      ], `chunk size ${size}`);
    }
  });

  test("Link header", () => {
    assert.deepEqual(parseLinkHeader('<https://a.example/v1/auth/keys?cursor=abc>; rel="next", <https://a.example/x>; rel="prev"'), {
      next: "https://a.example/v1/auth/keys?cursor=abc",
      prev: "https://a.example/x",
    });
    assert.deepEqual(parseLinkHeader("</v1/webhooks?cursor=2>;rel=next"), { next: "/v1/webhooks?cursor=2" });
    assert.deepEqual(parseLinkHeader(null), {});
  });

  test("Retry-After: seconds or an HTTP date", () => {
    assert.equal(parseRetryAfter("7"), 7);
    assert.equal(parseRetryAfter(null), null);
    assert.equal(parseRetryAfter("soon"), null);
    const now = Date.parse("2026-01-01T00:00:00Z");
    assert.equal(parseRetryAfter("Thu, 01 Jan 2026 00:00:30 GMT", now), 30);
  });

  test("baseUrl: trailing slash and /v1 are accepted; a base path is kept", () => {
    assert.equal(new AuraClient({ baseUrl: "https://a.example/v1/" }).url("/v1/scan/x"), "https://a.example/v1/scan/x");
    assert.equal(new AuraClient({ baseUrl: "https://a.example/aura" }).url("/v1/scan/x", { q: "a b", n: undefined }), "https://a.example/aura/v1/scan/x?q=a+b");
    assert.throws(() => new AuraClient({}), TypeError);
  });
});

describe("retries", () => {
  test("429 and 503 are retried after Retry-After, then succeed", async () => {
    const seen = [];
    const s = await stand((req, res) => {
      seen.push(Date.now());
      if (seen.length === 1) return json(res, 429, { error: { code: "rate_limited", message: "slow down" } }, { "retry-after": "1" });
      if (seen.length === 2) return json(res, 503, { error: { code: "unavailable", message: "busy" } }, { "retry-after": "0" });
      json(res, 200, { tier: "pro" });
    });
    try {
      const c = new AuraClient({ apiKey: "k", baseUrl: s.base });
      assert.deepEqual(await c.usage(), { tier: "pro" });
      assert.equal(seen.length, 3);
      assert.ok(seen[1] - seen[0] >= 950, `waited ${seen[1] - seen[0]} ms for Retry-After: 1`);
    } finally {
      await s.close();
    }
  });

  test("retries are bounded; the last error carries code, status and retryAfter", async () => {
    let n = 0;
    const s = await stand((req, res) => {
      n++;
      json(res, 429, { error: { code: "concurrent_scan_limit", message: "one at a time" } }, { "retry-after": "0" });
    });
    try {
      const c = new AuraClient({ apiKey: "k", baseUrl: s.base, maxRetries: 2 });
      await assert.rejects(c.scanRepo("a/b"), (e) => {
        assert.ok(e instanceof AuraError);
        assert.equal(e.code, "concurrent_scan_limit");
        assert.equal(e.status, 429);
        assert.equal(e.retryAfter, 0);
        assert.equal(e.message, "one at a time");
        return true;
      });
      assert.equal(n, 3);
    } finally {
      await s.close();
    }
  });

  test("a Retry-After over maxRetryDelayMs, other 4xx and non-JSON errors are not retried", async () => {
    let n = 0;
    const s = await stand((req, res) => {
      n++;
      if (req.url.startsWith("/v1/auth/usage")) return json(res, 429, { error: { code: "daily_quota_exceeded", message: "tomorrow" } }, { "retry-after": "40000" });
      if (req.url.startsWith("/v1/scan/latest")) return json(res, 422, { error: { code: "invalid_target", message: "no" } });
      res.writeHead(502, { "content-type": "text/html" });
      res.end("<h1>Bad gateway</h1>");
    });
    try {
      const c = new AuraClient({ apiKey: "k", baseUrl: s.base });
      await assert.rejects(c.usage(), (e) => e.code === "daily_quota_exceeded" && e.retryAfter === 40000);
      await assert.rejects(c.latest("x"), (e) => e.code === "invalid_target" && e.status === 422);
      await assert.rejects(c.getScan("x"), (e) => e.code === "http_502" && e.status === 502 && /Bad gateway/.test(e.message));
      assert.equal(n, 3);
    } finally {
      await s.close();
    }
  });

  test("network failures and timeouts are AuraErrors with status 0; aborts throw the signal's reason", async () => {
    const c = new AuraClient({ baseUrl: "http://127.0.0.1:9" });
    await assert.rejects(c.info(), (e) => e instanceof AuraError && e.code === "network_error" && e.status === 0);
    const s = await stand(() => {}); // never answers
    try {
      const slow = new AuraClient({ baseUrl: s.base, timeoutMs: 200 });
      await assert.rejects(slow.info(), (e) => e instanceof AuraError && e.code === "timeout");
      const ctl = new AbortController();
      setTimeout(() => ctl.abort(new Error("stop")), 50);
      await assert.rejects(new AuraClient({ baseUrl: s.base }).info({ signal: ctl.signal }), /stop/);
    } finally {
      await s.close();
    }
  });
});

describe("lists", () => {
  test("list helpers follow Link rel=next (same origin only) and keep the key", async () => {
    const auths = [];
    const s = await stand((req, res) => {
      auths.push(req.headers.authorization);
      const u = new URL(req.url, "http://x");
      const cursor = u.searchParams.get("cursor");
      if (!cursor) return json(res, 200, [{ id: "1" }, { id: "2" }], { link: `<${s.base}/v1/webhooks?cursor=b&limit=2>; rel="next"` });
      if (cursor === "b") return json(res, 200, [{ id: "3" }], { link: '</v1/webhooks?cursor=c>; rel="next"' });
      if (cursor === "c") return json(res, 200, [{ id: "4" }], { link: '<https://evil.example/v1/webhooks?cursor=d>; rel="next"' });
      json(res, 500, { error: { code: "boom", message: "followed a foreign link" } });
    });
    try {
      const c = new AuraClient({ apiKey: "secret-key", baseUrl: s.base });
      assert.deepEqual((await c.webhooks.list({ limit: 2 })).map((w) => w.id), ["1", "2", "3", "4"]);
      assert.ok(auths.every((a) => a === "Bearer secret-key"));
      assert.deepEqual((await c.webhooks.list({}, { maxItems: 3 })).map((w) => w.id), ["1", "2", "3"]);
      const ids = [];
      for await (const w of c.webhooks.iterate()) ids.push(w.id);
      assert.deepEqual(ids, ["1", "2", "3", "4"]);
    } finally {
      await s.close();
    }
  });
});

describe("waitForResult", () => {
  test("a dropped stream is resumed with Last-Event-ID", async () => {
    const lastIds = [];
    const s = await stand((req, res) => {
      if (req.url.endsWith("/stream")) {
        lastIds.push(req.headers["last-event-id"] ?? null);
        res.writeHead(200, { "content-type": "text/event-stream" });
        if (lastIds.length === 1) {
          res.write('retry: 10\nid: 1\nevent: scan_started\ndata: {"scanId":"s1","repo":"a/b"}\n\n');
          res.write('id: 2\nevent: progress\ndata: {"percent":40,"message":"half"}\n\nid: 3\nevent: progr');
          setTimeout(() => res.destroy(), 20); // the connection drops mid-event
          return;
        }
        res.end('id: 3\nevent: progress\ndata: {"percent":90,"message":"almost"}\n\nid: 4\nevent: scan_completed\ndata: {"scanId":"s1","score":90,"grade":"A","verdict":"SAFU","reportUrl":"r"}\n\n');
        return;
      }
      json(res, 200, { scan_id: "s1", kind: "repo", target: "a/b", status: "completed", progress: 100, created_at: "", report_url: "r", stream_url: "", result: { score: 90, grade: "A", verdict: "SAFU" } });
    });
    try {
      const events = [];
      const scan = await new AuraClient({ baseUrl: s.base }).waitForResult("s1", { onProgress: (e) => events.push(e) });
      assert.equal(scan.status, "completed");
      assert.deepEqual(lastIds, [null, "2"]);
      assert.deepEqual(events.map((e) => `${e.id}:${e.type}`), ["1:scan_started", "2:progress", "3:progress", "4:scan_completed"]);
      assert.equal(events[1].data.percent, 40);
    } finally {
      await s.close();
    }
  });

  test("falls back to polling when streams are refused (429 too_many_streams)", async () => {
    let polls = 0;
    const s = await stand((req, res) => {
      if (req.url.endsWith("/stream")) return json(res, 429, { error: { code: "too_many_streams", message: "enough" } }, { "retry-after": "0" });
      polls++;
      const done = polls >= 3;
      json(res, 200, { scan_id: "s2", kind: "repo", target: "a/b", status: done ? "completed" : "running", progress: done ? 100 : polls * 30, created_at: "", report_url: "r", stream_url: "", ...(done ? { result: { score: 70, grade: "B", verdict: "DYOR" } } : {}) });
    });
    try {
      const events = [];
      const scan = await new AuraClient({ baseUrl: s.base, maxRetries: 0 }).waitForResult("s2", { pollIntervalMs: 20, onProgress: (e) => events.push(e) });
      assert.equal(scan.status, "completed");
      assert.deepEqual(events.map((e) => e.type), ["progress", "progress", "scan_completed"]);
      assert.equal(events[2].data.score, 70);
    } finally {
      await s.close();
    }
  });

  test("abort and timeout stop the wait", async () => {
    const s = await stand((req, res) => {
      if (req.url.endsWith("/stream")) {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write(": keep-alive\n\n");
        return; // never ends
      }
      json(res, 200, {});
    });
    try {
      const c = new AuraClient({ baseUrl: s.base });
      await assert.rejects(c.waitForResult("s3", { timeoutMs: 150 }), (e) => e instanceof AuraError && e.code === "timeout");
      const ctl = new AbortController();
      setTimeout(() => ctl.abort(new Error("user left")), 50);
      await assert.rejects(c.waitForResult("s3", { signal: ctl.signal }), /user left/);
    } finally {
      await s.close();
    }
  });
});

describe("verifyWebhook (synthetic)", () => {
  const secret = "whsec_" + Buffer.alloc(32, 7).toString("base64");
  const body = '{"event":"scan_completed","scan_id":"s","score":1}';
  const ts = String(Math.floor(Date.now() / 1000));
  const aura = "sha256=" + createHmac("sha256", secret).update(body).digest("hex");
  const std = "v1," + createHmac("sha256", Buffer.alloc(32, 7)).update(`d1.${ts}.${body}`).digest("base64");
  const headers = { "X-AuraSecurity-Signature": aura, "webhook-id": "d1", "webhook-timestamp": ts, "webhook-signature": std };

  test("matches the documented algorithms, any header case, bytes or string bodies", async () => {
    assert.equal(await verifyWebhook(body, headers, secret), true);
    assert.equal(await verifyWebhook(new TextEncoder().encode(body), headers, secret), true);
    assert.equal(await verifyWebhook(body, { ...headers, "X-AuraSecurity-Signature": `sha256=${"0".repeat(64)} ${aura}` }, secret), true);
    assert.equal(await verifyWebhook(body, { ...headers, "webhook-signature": `v1,AAAA ${std}` }, secret), true);
    assert.equal(await verifyWebhook(body + " ", headers, secret), false);
    assert.equal(await verifyWebhook(body, headers, secret, { toleranceSecs: 10, now: Number(ts) + 11 }), false);
    assert.equal(await verifyWebhook(body, headers, secret, { scheme: "aura", now: Number(ts) + 9999 }), true);
    await assert.rejects(verifyWebhook(JSON.parse(body), headers, secret), TypeError);
  });
});
