// The reference bot end to end: a signed Discord interaction -> deferred answer -> a real
// AuraSecurity scan (release binary, loopback GitHub stand-in) with the bot's callback_url ->
// the server's signed callback, verified by the SDK -> the follow-up edit received by a
// loopback stand-in of Discord's API.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPairSync, sign } from "node:crypto";
import { createServer } from "node:http";

import { AuraClient } from "@aurasecurity/sdk";
import { createBot } from "../bot.mjs";
import { healthyRepo, startGitHubStub } from "../../../typescript/test/helpers/github-stub.mjs";
import { startReceiver } from "../../../typescript/test/helpers/receiver.mjs";
import { startServer } from "../../../typescript/test/helpers/server.mjs";

const APP_ID = "123456789012345678";
let gh, srv, discord, botServer, botUrl, bot, aura, keys;

function signed(body, { key = keys.privateKey, timestamp = String(Math.floor(Date.now() / 1000)) } = {}) {
  const raw = JSON.stringify(body);
  const sig = sign(null, Buffer.from(timestamp + raw), key).toString("hex");
  return { raw, headers: { "content-type": "application/json", "x-signature-ed25519": sig, "x-signature-timestamp": timestamp } };
}

async function interact(body, opts) {
  const { raw, headers } = signed(body, opts);
  const res = await fetch(`${botUrl}/interactions`, { method: "POST", headers, body: raw });
  return { status: res.status, body: await res.json() };
}

/** Retries `check` until it passes (the bot and the server finish their side asynchronously). */
async function eventually(check, timeoutMs = 10_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((ok) => setTimeout(ok, 50));
    }
  }
}

const scanCommand = (repo, token) => ({
  type: 2,
  id: "1",
  application_id: APP_ID,
  token,
  data: { id: "2", name: "scan", type: 1, options: [{ name: "repo", type: 3, value: repo }] },
  member: { user: { id: "42", username: "trader" } },
});

before(async () => {
  gh = await startGitHubStub();
  gh.add("orbit/discord", healthyRepo(7));
  srv = await startServer({ githubUrl: gh.url });
  const admin = new AuraClient({ apiKey: srv.adminKey, baseUrl: srv.base });
  const partner = await admin.admin.createPartner({ name: "Discord Bot", email: "bot@sdk.test", tier: "partner" });
  aura = new AuraClient({ apiKey: partner.api_key, baseUrl: srv.base });
  discord = await startReceiver((r) => ({ status: 200, body: { id: "m1", content: "" } }));
  keys = generateKeyPairSync("ed25519");
  const publicKeyHex = keys.publicKey.export({ format: "der", type: "spki" }).subarray(12).toString("hex");
  botServer = createServer((req, res) => bot.handler(req, res));
  await new Promise((ok) => botServer.listen(0, "127.0.0.1", ok));
  botUrl = `http://127.0.0.1:${botServer.address().port}`;
  bot = createBot({
    discordPublicKey: publicKeyHex,
    applicationId: APP_ID,
    discordApiBase: `${discord.url}/api/v10`,
    aura,
    webhookSecret: partner.webhook_secret,
    publicUrl: botUrl,
    log: () => {},
  });
});

after(async () => {
  botServer?.closeAllConnections?.();
  await new Promise((ok) => (botServer ? botServer.close(ok) : ok()));
  await discord?.close();
  await srv?.stop();
  await gh?.close();
});

describe("Discord bot", () => {
  test("answers a signed PING and refuses bad signatures", async () => {
    assert.deepEqual(await interact({ type: 1 }), { status: 200, body: { type: 1 } });
    const stranger = generateKeyPairSync("ed25519").privateKey;
    assert.equal((await interact({ type: 1 }, { key: stranger })).status, 401);
    const { raw, headers } = signed({ type: 1 });
    const tampered = await fetch(`${botUrl}/interactions`, { method: "POST", headers, body: raw.replace("1", "2") });
    assert.equal(tampered.status, 401);
    const unsigned = await fetch(`${botUrl}/interactions`, { method: "POST", body: raw });
    assert.equal(unsigned.status, 401);
  });

  test("/scan owner/repo: deferred answer, then the follow-up with score, grade, verdict, flags and report link", async () => {
    const token = "tok-scan-1";
    const reply = await interact(scanCommand("orbit/discord", token));
    assert.deepEqual(reply, { status: 200, body: { type: 5 } });

    const edit = await discord.next((r) => r.url.includes(token), 30_000);
    assert.equal(edit.method, "PATCH");
    assert.equal(edit.url, `/api/v10/webhooks/${APP_ID}/${token}/messages/@original`);
    const msg = JSON.parse(edit.text);

    const scan = await aura.latest("orbit/discord");
    assert.ok(scan?.result, "the scan completed on the server");
    const { score, grade, verdict } = scan.result;
    assert.match(msg.content, new RegExp(`${score}/100, grade ${grade}, ${verdict}`));
    assert.ok(msg.content.includes(scan.report_url));
    const embed = msg.embeds[0];
    assert.equal(embed.url, scan.report_url);
    const field = (n) => embed.fields.find((f) => f.name === n)?.value;
    assert.equal(field("Score"), `${score}/100`);
    assert.equal(field("Grade"), grade);
    assert.ok(field("Verdict").endsWith(verdict));
    assert.ok(field("Top red flags") ?? field("Red flags"));
    assert.deepEqual(msg.allowed_mentions, { parse: [] });
    // The follow-up came from the verified callback: nothing is left waiting.
    await eventually(() => assert.equal(bot.pending.size, 0));
    // The server logged its callback delivery as sent (the bot answered 2xx).
    await eventually(async () => {
      const deliveries = await aura.webhooks.deliveries();
      assert.ok(deliveries.some((d) => d.scan_id === scan.scan_id && d.url.startsWith(botUrl) && d.status === "sent"));
    });
  });

  test("a recent result is answered at once from the cache", async () => {
    const token = "tok-scan-cached";
    assert.deepEqual(await interact(scanCommand("https://github.com/orbit/discord", token)), { status: 200, body: { type: 5 } });
    const edit = await discord.next((r) => r.url.includes(token), 10_000);
    const scan = await aura.latest("orbit/discord");
    assert.match(JSON.parse(edit.text).content, new RegExp(`${scan.result.score}/100`));
  });

  test("an invalid target gets an error follow-up", async () => {
    const token = "tok-invalid";
    await interact(scanCommand("ftp://example.com/nope", token));
    const edit = await discord.next((r) => r.url.includes(token), 10_000);
    assert.match(JSON.parse(edit.text).content, /not a repository I can scan/);
    await bot.idle();
    assert.equal(bot.pending.size, 0);
  });

  test("callbacks that do not verify are refused", async () => {
    const res = await fetch(`${botUrl}/aura/callback/${"0".repeat(32)}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-aurasecurity-signature": "sha256=" + "0".repeat(64), "webhook-id": "x", "webhook-timestamp": String(Math.floor(Date.now() / 1000)), "webhook-signature": "v1,AAAA" },
      body: JSON.stringify({ event: "scan_completed", scan_id: "x", score: 100 }),
    });
    assert.equal(res.status, 401);
  });
});
