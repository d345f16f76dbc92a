// The SDK against the real release binary (fresh SQLite, web + worker in one process, GitHub
// and OSV replaced by a loopback stand-in). Needs the built package (npm run build) and the
// server binary (target/release/server or $AURA_SERVER_BIN).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";

import { AuraClient, AuraError, parseWebhook, verifyWebhook, WebhookVerificationError } from "../dist/index.js";
import { generateTypes, TYPES_FILE } from "../scripts/gen-types.mjs";
import { healthyRepo, startGitHubStub } from "./helpers/github-stub.mjs";
import { startReceiver } from "./helpers/receiver.mjs";
import { startServer } from "./helpers/server.mjs";

let gh, srv, admin, partner, partnerKey, partnerSecret, receiver;

before(async () => {
  gh = await startGitHubStub();
  for (const name of ["orbit/sdk", "orbit/cached", "orbit/hooks", "orbit/rotate", "orbit/a", "orbit/b"]) gh.add(name, healthyRepo(name.length));
  srv = await startServer({ githubUrl: gh.url });
  admin = new AuraClient({ apiKey: srv.adminKey, baseUrl: srv.base });
  const p = await admin.admin.createPartner({ name: "SDK Partner", email: "partner@sdk.test", tier: "partner" });
  partner = new AuraClient({ apiKey: p.api_key, baseUrl: `${srv.base}/v1/`, fetch: process.env.SDK_TRACE ? async (u, i) => { const r = await fetch(u, i); console.error("TRACE", i?.method, u, r.status, r.headers.get("retry-after") ?? "", r.headers.get("x-ratelimit-remaining") ?? ""); return r; } : undefined });
  partnerSecret = p.webhook_secret;
  partnerKey = p.api_key;
  receiver = await startReceiver();
});

after(async () => {
  await receiver?.close();
  await srv?.stop();
  await gh?.close();
});

describe("against the real server", () => {
  test("the checked-in types match the running server's /openapi.json", async () => {
    const spec = await admin.openapi();
    const fresh = await generateTypes(spec);
    const current = await readFile(TYPES_FILE, "utf8");
    assert.ok(
      current === fresh,
      `src/generated/openapi.ts drifted from the server's spec: run \`npm run gen:types -- ${srv.base}/openapi.json\` and commit`,
    );
  });

  test("info and health", async () => {
    const info = await admin.info();
    assert.equal(info.name, "AuraSecurity");
    assert.equal((await admin.health()).status !== undefined, true);
  });

  test("scan -> waitForResult follows the stream to `completed` with progress events", async () => {
    gh.setArchiveDelay(600);
    try {
      const sub = await admin.scanRepo("https://github.com/orbit/sdk");
      assert.equal(sub.status, "queued");
      assert.match(sub.scan_id, /^[0-9a-f]{32,}$/);
      const events = [];
      const scan = await admin.waitForResult(sub.scan_id, { onProgress: (e) => events.push(e), timeoutMs: 60_000 });
      assert.equal(scan.status, "completed");
      assert.equal(scan.progress, 100);
      assert.ok(scan.result);
      assert.ok(scan.result.score >= 0 && scan.result.score <= 100);
      assert.match(scan.result.grade, /^[A-F]$/);
      assert.ok(["SAFU", "DYOR", "RISKY", "SCAM"].includes(scan.result.verdict));
      assert.ok(Array.isArray(scan.result.checks) && scan.result.checks.length > 0);
      const types = events.map((e) => e.type);
      assert.equal(types[0], "scan_started");
      assert.equal(types.at(-1), "scan_completed");
      assert.ok(types.filter((t) => t === "progress").length >= 2, `progress events: ${types.join(",")}`);
      const done = events.at(-1);
      assert.equal(done.data.scanId, sub.scan_id);
      assert.equal(done.data.score, scan.result.score);
      assert.equal(done.data.reportUrl, scan.report_url);
      // Event ids are increasing: the resume point.
      const ids = events.map((e) => Number(e.id));
      assert.deepEqual([...ids].sort((a, b) => a - b), ids);

      // Resuming after the last event: nothing left (204), the scan object is answered.
      const again = [];
      for await (const e of admin.events(sub.scan_id, { lastEventId: events.at(-1).id })) again.push(e);
      assert.deepEqual(again, []);
      // Resuming from the middle replays only what came after.
      const tail = [];
      for await (const e of admin.events(sub.scan_id, { lastEventId: events.at(-3).id })) tail.push(e);
      assert.deepEqual(tail.map((e) => e.id), events.slice(-2).map((e) => e.id));

      // Polling gives the same final object.
      const polled = await admin.waitForResult(sub.scan_id, { transport: "poll" });
      assert.equal(polled.result.score, scan.result.score);
    } finally {
      gh.setArchiveDelay(0);
    }
  });

  test("a recent scan is answered from the cache; latest and lookup start nothing", async () => {
    const first = await partner.scanRepo({ url: "orbit/cached" });
    const done = await partner.waitForResult(first.scan_id, { timeoutMs: 60_000 });
    assert.equal(done.status, "completed");
    const archives = gh.stats.archives;

    const cached = await partner.scanRepo("orbit/cached");
    assert.equal(cached.cached, true);
    assert.equal(cached.scan_id, first.scan_id);
    assert.equal(cached.status, "completed");
    assert.equal(cached.result?.score, done.result.score);

    const latest = await partner.latest("orbit/cached");
    assert.equal(latest?.scan_id, first.scan_id);
    assert.equal(await partner.latest("nobody/never-scanned"), null);

    const { results } = await partner.lookup(["orbit/cached", "https://github.com/orbit/cached", "nobody/never-scanned"]);
    assert.equal(results.length, 3);
    assert.equal(results[0].scan?.scan_id, first.scan_id);
    assert.equal(results[1].scan?.scan_id, first.scan_id);
    assert.equal(results[2].scan, null);

    // waitForResult on a finished scan returns at once.
    assert.equal((await partner.waitForResult(first.scan_id)).status, "completed");
    assert.equal(gh.stats.archives, archives, "no new download for a cached answer, latest or lookup");

    // fresh: true scans again.
    const fresh = await partner.scanRepo({ url: "orbit/cached", fresh: true });
    assert.notEqual(fresh.scan_id, first.scan_id);
    await partner.waitForResult(fresh.scan_id, { timeoutMs: 60_000 });
  });

  test("errors are AuraErrors with the contract's code and the HTTP status", async () => {
    const bad = new AuraClient({ apiKey: `aura_pk_free_${"0".repeat(32)}`, baseUrl: srv.base });
    await assert.rejects(bad.scanRepo("orbit/sdk"), (e) => {
      assert.ok(e instanceof AuraError);
      assert.equal(e.status, 401);
      assert.equal(e.code, "unauthorized");
      assert.ok(e.message.length > 0);
      assert.equal(e.retryAfter, null);
      return true;
    });
    const none = new AuraClient({ baseUrl: srv.base });
    await assert.rejects(none.usage(), (e) => e instanceof AuraError && e.status === 401);

    await assert.rejects(admin.scanRepo("ftp://example.com/x"), (e) => {
      assert.ok(e instanceof AuraError);
      assert.equal(e.status, 422);
      assert.equal(e.code, "invalid_target");
      return true;
    });
    await assert.rejects(admin.getScan("0".repeat(32)), (e) => e instanceof AuraError && e.status === 404 && e.code === "not_found");
    await assert.rejects(admin.lookup([]), (e) => e instanceof AuraError && e.status === 422);
    // A partner is not an admin.
    await assert.rejects(partner.admin.listPartners(), (e) => e instanceof AuraError && e.status === 403 && e.code === "forbidden");
    // No X token configured: 503 x_api_not_configured, thrown without retrying.
    const t0 = Date.now();
    await assert.rejects(admin.scanXProfile("someone"), (e) => e instanceof AuraError && e.status === 503 && e.code === "x_api_not_configured");
    assert.ok(Date.now() - t0 < 2000, "x_api_not_configured is not retried");
  });

  test("verifyWebhook accepts real deliveries (callback and endpoint) under both schemes", async () => {
    const hook = await partner.webhooks.create({ url: `${receiver.url}/endpoint` });
    assert.deepEqual([...hook.events].sort(), ["scan_completed", "scan_failed"]);
    assert.ok((await partner.webhooks.list()).some((w) => w.id === hook.id));

    const sub = await partner.scanRepo({ url: "orbit/hooks", callback_url: `${receiver.url}/callback` });
    const callback = await receiver.next((r) => r.url === "/callback");
    const endpoint = await receiver.next((r) => r.url === "/endpoint" && JSON.parse(r.text).scan_id === sub.scan_id);
    for (const d of [callback, endpoint]) {
      assert.equal(d.headers["x-aurasecurity-event"], "scan_completed");
      assert.ok(d.headers["x-aurasecurity-signature"].startsWith("sha256="));
      assert.ok(d.headers["webhook-signature"].startsWith("v1,"));
      assert.equal(await verifyWebhook(d.raw, d.headers, partnerSecret), true);
      assert.equal(await verifyWebhook(d.text, d.headers, partnerSecret, { scheme: "aura" }), true);
      assert.equal(await verifyWebhook(d.raw, new Headers(d.headers), partnerSecret, { scheme: "standard" }), true);
      // Tampering, a wrong secret, a stale timestamp, a missing header.
      assert.equal(await verifyWebhook(d.text.replace('"scan_completed"', '"scan_failed"'), d.headers, partnerSecret), false);
      assert.equal(await verifyWebhook(d.raw, d.headers, "whsec_" + Buffer.alloc(32, 1).toString("base64")), false);
      assert.equal(await verifyWebhook(d.raw, d.headers, partnerSecret, { now: Number(d.headers["webhook-timestamp"]) + 3600 }), false);
      assert.equal(await verifyWebhook(d.raw, { ...d.headers, "webhook-signature": undefined }, partnerSecret), false);
      assert.equal(await verifyWebhook(d.raw, { ...d.headers, "webhook-signature": undefined }, partnerSecret, { scheme: "either" }), true);
      const payload = await parseWebhook(d.raw, d.headers, partnerSecret);
      assert.equal(payload.event, "scan_completed");
      assert.equal(payload.scan_id, sub.scan_id);
      assert.ok(typeof payload.score === "number");
      assert.match(payload.report_url, /\/report\//);
      await assert.rejects(parseWebhook(d.raw, d.headers, "whsec_AAAA"), (e) => e instanceof WebhookVerificationError && e.reason === "invalid_signature");
    }
    // Both deliveries carry the same body.
    assert.equal(callback.text, endpoint.text);

    // The delivery log through the SDK.
    const deliveries = await partner.webhooks.deliveries({ webhook_id: hook.id });
    const mine = deliveries.find((d) => d.scan_id === sub.scan_id);
    assert.ok(mine, "the endpoint's delivery is logged");
    const detail = await partner.webhooks.getDelivery(mine.id);
    assert.equal(detail.id, mine.id);
    assert.equal(detail.id, endpoint.headers["x-aurasecurity-delivery"]);
  });

  test("during a secret rotation both secrets verify", async () => {
    const { webhook_secret: fresh } = await partner.webhooks.rotateSecret({ grace_period_secs: 3600 });
    assert.match(fresh, /^whsec_/);
    const sub = await partner.scanRepo({ url: "orbit/rotate", callback_url: `${receiver.url}/rotated` });
    const d = await receiver.next((r) => r.url === "/rotated");
    assert.equal(JSON.parse(d.text).scan_id, sub.scan_id);
    assert.equal(d.headers["x-aurasecurity-signature"].split(" ").length, 2);
    assert.equal(d.headers["webhook-signature"].split(" ").length, 2);
    assert.equal(await verifyWebhook(d.raw, d.headers, fresh), true);
    assert.equal(await verifyWebhook(d.raw, d.headers, partnerSecret), true);
    assert.equal(await verifyWebhook(d.raw, d.headers, [partnerSecret, fresh]), true);
    partnerSecret = fresh;
  });

  test("keys, usage, embed settings, compare and the admin operations", async () => {
    const key = await partner.keys.create({ name: "ci" });
    assert.match(key.api_key, /^aura_pk_partner_[0-9a-f]{32}$/);
    const keys = await partner.keys.list();
    assert.ok(keys.some((k) => k.id === key.id));
    assert.ok(keys.every((k) => !("api_key" in k)));
    const readOnly = new AuraClient({ apiKey: key.api_key, baseUrl: srv.base });
    assert.equal((await readOnly.usage()).tier, "partner");
    const rotated = await partner.keys.rotate(key.id, { expire_old_in_secs: 0 });
    assert.notEqual(rotated.api_key, key.api_key);
    await assert.rejects(readOnly.getScan("0".repeat(32)), (e) => e instanceof AuraError && e.status === 401);
    await partner.keys.revoke(rotated.id);
    await assert.rejects(new AuraClient({ apiKey: rotated.api_key, baseUrl: srv.base }).usage(), (e) => e.status === 401);

    const usage = await partner.usage();
    assert.equal(usage.tier, "partner");
    assert.equal(usage.limits.per_minute, 100);
    assert.ok(usage.today.requests > 0);

    const settings = await partner.embed.updateSettings({ allowed_domains: ["https://terminal.example"], theme: "dark" });
    assert.deepEqual(settings.allowed_domains, ["https://terminal.example"]);
    assert.deepEqual((await partner.embed.getSettings()).allowed_domains, ["https://terminal.example"]);
    await assert.rejects(partner.embed.updateSettings({ allowed_domains: ["ftp://nope"], theme: "dark" }), (e) => e.status === 422 && e.code === "validation_failed");
    assert.equal(partner.embed.badgeUrl("orbit/sdk"), `${srv.base}/badge/orbit/sdk.svg`);

    const cmp = await partner.compare("orbit/a", "orbit/b");
    assert.equal(cmp.status, "queued");
    const cmpDone = await partner.waitForResult(cmp.scan_id, { timeoutMs: 60_000 });
    assert.equal(cmpDone.kind, "compare");
    assert.ok(["completed", "failed"].includes(cmpDone.status));

    const partners = await admin.admin.listPartners();
    const me = partners.find((p) => p.email === "partner@sdk.test");
    assert.ok(me);
    // Demoted to free (5/min), the partner's key is already over its minute: a real 429.
    const updated = await admin.admin.updatePartner(me.account_id, { tier: "free" });
    assert.equal(updated.tier, "free");
    const noRetry = new AuraClient({ apiKey: partnerKey, baseUrl: srv.base, maxRetries: 0 });
    await assert.rejects(noRetry.usage(), (e) => {
      assert.ok(e instanceof AuraError);
      assert.equal(e.status, 429);
      assert.equal(e.code, "rate_limited");
      assert.ok(e.retryAfter > 0 && e.retryAfter <= 60, `Retry-After ${e.retryAfter}`);
      return true;
    });
    // A Retry-After longer than the client's cap is thrown at once, not slept through.
    const t0 = Date.now();
    const capped = new AuraClient({ apiKey: partnerKey, baseUrl: srv.base, maxRetryDelayMs: 500 });
    await assert.rejects(capped.usage(), (e) => e instanceof AuraError && e.status === 429);
    assert.ok(Date.now() - t0 < 2000);
    await admin.admin.updatePartner(me.account_id, { tier: "partner" });
    assert.equal((await partner.usage()).limits.per_minute, 100);
    const audit = await admin.admin.audit({ limit: 5 }, { maxItems: 5 });
    assert.ok(audit.length > 0 && audit.length <= 5);
    assert.ok(Array.isArray(await admin.admin.jobs()));
  });

  test("key scopes and allowed_origins: returned, listed, and enforced (403 insufficient_scope / origin_not_allowed)", async () => {
    const key = await partner.keys.create({ name: "read-only", scopes: ["scans:read"], allowed_origins: ["https://terminal.example"] });
    assert.deepEqual(key.scopes, ["scans:read"]);
    assert.deepEqual(key.allowed_origins, ["https://terminal.example"]);
    const listed = (await partner.keys.list()).find((k) => k.id === key.id);
    assert.deepEqual(listed?.scopes, ["scans:read"]);
    assert.deepEqual(listed?.allowed_origins, ["https://terminal.example"]);
    const readOnly = new AuraClient({ apiKey: key.api_key, baseUrl: srv.base });
    try {
      await assert.rejects(readOnly.scanRepo("orbit/sdk"), (e) => e instanceof AuraError && e.status === 403 && e.code === "insufficient_scope");
      await assert.rejects(readOnly.usage(), (e) => e instanceof AuraError && e.status === 403 && e.code === "insufficient_scope");
      // Within its scopes, from no origin (server-side) or an allowed one, it works.
      assert.ok(Array.isArray(await readOnly.listScans()));
      const fromPage = new AuraClient({ apiKey: key.api_key, baseUrl: srv.base, headers: { origin: "https://terminal.example" } });
      assert.ok(Array.isArray(await fromPage.listScans()));
      const elsewhere = new AuraClient({ apiKey: key.api_key, baseUrl: srv.base, headers: { origin: "https://evil.example" } });
      await assert.rejects(elsewhere.listScans(), (e) => e instanceof AuraError && e.status === 403 && e.code === "origin_not_allowed");
    } finally {
      await partner.keys.revoke(key.id);
    }
    // A key made without scopes has every scope.
    const all = await partner.keys.create({ name: "all-scopes" });
    assert.deepEqual([...all.scopes].sort(), ["embed", "keys", "scans:read", "scans:write", "usage", "webhooks"]);
    await partner.keys.revoke(all.id);
  });

  test("partner_slug (409 slug_taken) and POST /v1/admin/partners/{id}/invite", async () => {
    const p = await admin.admin.createPartner({ name: "Slug Desk", email: "slug@sdk.test", tier: "free", partner_slug: "slug-desk" });
    assert.equal(p.partner_slug, "slug-desk");
    await assert.rejects(
      admin.admin.createPartner({ name: "Copy", email: "copy@sdk.test", tier: "free", partner_slug: "slug-desk" }),
      (e) => e instanceof AuraError && e.status === 409 && e.code === "slug_taken",
    );
    const { invite_url } = await admin.admin.invitePartner(p.account_id);
    assert.match(invite_url, /\/invite\//);
    assert.notEqual(invite_url, p.invite_url);
  });

  test("lists page with ?limit= and a Link rel=next header", async () => {
    // An account of its own: five keys (its first one and four more).
    const p = await admin.admin.createPartner({ name: "Pages", email: "pages@sdk.test", tier: "partner" });
    const paged = new AuraClient({ apiKey: p.api_key, baseUrl: srv.base });
    const made = [];
    for (let i = 0; i < 4; i++) made.push((await paged.keys.create({ name: `page-${i}` })).id);
    const res = await paged.fetchRaw("GET", "/v1/auth/keys", { query: { limit: 2 } });
    assert.equal((await res.json()).length, 2);
    const link = res.headers.get("link") ?? "";
    assert.match(link, /rel="next"/);
    assert.ok(link.startsWith(`<${srv.base}/v1/auth/keys?`), link);
    const all = await paged.keys.list({ limit: 2 });
    const ids = all.map((k) => k.id);
    assert.equal(ids.length, 5);
    assert.equal(new Set(ids).size, 5);
    assert.ok(made.every((id) => ids.includes(id)));
    const stamps = all.map((k) => k.created_at);
    assert.deepEqual(stamps, [...stamps].sort().reverse(), "newest first");
    // The default page size gives the same list; maxItems stops early; the iterator pages too.
    assert.deepEqual((await paged.keys.list()).map((k) => k.id), ids);
    assert.deepEqual((await paged.keys.list({ limit: 2 }, { maxItems: 3 })).map((k) => k.id), ids.slice(0, 3));
    const walked = [];
    for await (const k of paged.keys.iterate({ limit: 1 })) walked.push(k.id);
    assert.deepEqual(walked, ids);
    await assert.rejects(paged.keys.list({ limit: 201 }), (e) => e instanceof AuraError && e.status === 422 && e.code === "validation_failed");
  });

  test("listScans / scans.list: the account's own scans, newest first, paged", async () => {
    for (const name of ["orbit/list-1", "orbit/list-2", "orbit/list-3", "orbit/theirs"]) gh.add(name, healthyRepo(name.length));
    const p = await admin.admin.createPartner({ name: "Scans", email: "scans@sdk.test", tier: "partner" });
    const mine = new AuraClient({ apiKey: p.api_key, baseUrl: srv.base });
    assert.deepEqual(await mine.listScans(), []);
    const subs = [];
    for (const t of ["orbit/list-1", "orbit/list-2", "orbit/list-3"]) subs.push(await mine.scanRepo(t));
    const done = [];
    for (const s of subs) done.push(await mine.waitForResult(s.scan_id, { timeoutMs: 60_000 }));
    const other = await partner.scanRepo("orbit/theirs");

    const scans = await mine.listScans({ limit: 2 });
    assert.deepEqual(scans.map((s) => s.scan_id).sort(), subs.map((s) => s.scan_id).sort());
    assert.ok(!scans.some((s) => s.scan_id === other.scan_id), "another account's scan never appears");
    const stamps = scans.map((s) => s.created_at);
    assert.deepEqual(stamps, [...stamps].sort().reverse(), "newest first");
    for (const d of done) {
      const got = scans.find((s) => s.scan_id === d.scan_id);
      assert.equal(got.status, "completed");
      assert.equal(got.kind, "repo");
      assert.deepEqual(got.result, d.result);
    }
    assert.deepEqual((await mine.scans.list({}, { maxItems: 2 })).map((s) => s.scan_id), scans.slice(0, 2).map((s) => s.scan_id));
    const walked = [];
    for await (const s of mine.scans.iterate({ limit: 1 })) walked.push(s.scan_id);
    assert.deepEqual(walked, scans.map((s) => s.scan_id));
    const res = await mine.fetchRaw("GET", "/v1/scans", { query: { limit: 2 } });
    assert.match(res.headers.get("link") ?? "", /rel="next"/);
    await partner.waitForResult(other.scan_id, { timeoutMs: 60_000 });
  });
});
