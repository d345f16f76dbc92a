// A reference Discord bot for AuraSecurity, built on @aurasecurity/sdk.
//
// It is an HTTP "interactions endpoint" (no gateway connection): Discord POSTs slash commands
// to /interactions, signed with Ed25519. `/scan repo:owner/repo` is answered at once with a
// deferred response ("AuraSecurity is thinking…"); the scan is started with a `callback_url`
// pointing back at this bot, and when AuraSecurity's signed callback arrives the deferred
// message is edited with the score, grade, verdict, top flags and the report link.
//
//   DISCORD_PUBLIC_KEY=… DISCORD_APPLICATION_ID=… AURA_API_KEY=aura_pk_… \
//   AURA_WEBHOOK_SECRET=whsec_… AURA_BASE_URL=https://aura.example \
//   BOT_PUBLIC_URL=https://bot.example PORT=8787 node bot.mjs
//
// Only Node's standard library and the SDK: Ed25519 verification is node:crypto.
import { createPublicKey, randomBytes, verify as cryptoVerify } from "node:crypto";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";

import { AuraClient, AuraError, parseWebhook, WebhookVerificationError } from "@aurasecurity/sdk";

const InteractionType = { PING: 1, APPLICATION_COMMAND: 2 };
const ResponseType = { PONG: 1, CHANNEL_MESSAGE: 4, DEFERRED_CHANNEL_MESSAGE: 5 };
const EPHEMERAL = 1 << 6;
/** Discord interaction tokens are valid for 15 minutes. */
const TOKEN_TTL_MS = 15 * 60 * 1000;

const VERDICT_COLOURS = { SAFU: 0x2ecc71, DYOR: 0xf1c40f, RISKY: 0xe67e22, SCAM: 0xe74c3c };
const VERDICT_EMOJI = { SAFU: "🟢", DYOR: "🟡", RISKY: "🟠", SCAM: "🔴" };
const SEVERITY_ORDER = ["critical", "high", "medium", "low", "info"];

/** The `/scan` command, as registered with Discord (see register-commands.mjs). */
export const SCAN_COMMAND = {
  name: "scan",
  type: 1,
  description: "Trust-scan a GitHub repository with AuraSecurity",
  options: [{ type: 3, name: "repo", description: "owner/repo or https://github.com/owner/repo", required: true }],
};

/** A verifier of Discord's `X-Signature-Ed25519` over `timestamp + body`. */
export function discordVerifier(publicKeyHex) {
  if (!/^[0-9a-f]{64}$/i.test(publicKeyHex ?? "")) throw new Error("DISCORD_PUBLIC_KEY must be the application's 64-hex-digit public key");
  // An Ed25519 SubjectPublicKeyInfo is a fixed 12-byte prefix and the 32 raw key bytes.
  const key = createPublicKey({
    key: Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), Buffer.from(publicKeyHex, "hex")]),
    format: "der",
    type: "spki",
  });
  return (rawBody, signatureHex, timestamp) => {
    if (!/^[0-9a-f]{128}$/i.test(signatureHex ?? "") || !timestamp) return false;
    try {
      return cryptoVerify(null, Buffer.concat([Buffer.from(timestamp, "utf8"), rawBody]), key, Buffer.from(signatureHex, "hex"));
    } catch {
      return false;
    }
  };
}

/** The follow-up message for a finished scan (a webhook payload or a scan object). */
export function resultMessage({ target, score, grade, verdict, reportUrl, redFlags = [], greenFlags = [], tags = [], error }) {
  if (error || score == null) {
    return { content: `❌ The scan of \`${target}\` failed: ${error ?? "unknown error"}`, embeds: [], allowed_mentions: { parse: [] } };
  }
  const top = [...redFlags]
    .sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity))
    .slice(0, 3)
    .map((f) => `• **${f.severity.toUpperCase()}** ${f.title}${f.detail ? ` — ${f.detail}` : ""}`);
  const good = greenFlags.slice(0, 3).map((f) => `• ${f.title}`);
  const fields = [
    { name: "Score", value: `${score}/100`, inline: true },
    { name: "Grade", value: String(grade), inline: true },
    { name: "Verdict", value: `${VERDICT_EMOJI[verdict] ?? ""} ${verdict}`.trim(), inline: true },
    { name: top.length ? "Top red flags" : "Red flags", value: top.length ? top.join("\n").slice(0, 1024) : "None found" },
  ];
  if (good.length) fields.push({ name: "Strengths", value: good.join("\n").slice(0, 1024) });
  if (tags.length) fields.push({ name: "Tags", value: tags.join(" ").slice(0, 1024) });
  return {
    content: `${VERDICT_EMOJI[verdict] ?? ""} **${target}**: ${score}/100, grade ${grade}, ${verdict}. Full report: ${reportUrl}`.trim(),
    embeds: [
      {
        title: `AuraSecurity: ${target} — ${score}/100 ${verdict}`.slice(0, 256),
        url: reportUrl,
        color: VERDICT_COLOURS[verdict] ?? 0x95a5a6,
        fields,
        footer: { text: "Powered by AuraSecurity" },
      },
    ],
    allowed_mentions: { parse: [] },
  };
}

/**
 * The bot as a request handler. Options:
 *  - discordPublicKey, applicationId: from the Discord developer portal;
 *  - discordApiBase: default https://discord.com/api/v10 (tests point it at a stand-in);
 *  - aura: an AuraClient, or {apiKey, baseUrl};
 *  - webhookSecret: the AuraSecurity account's whsec_… (verifies the callbacks);
 *  - publicUrl: this bot's externally reachable base URL (for the callback_url);
 *  - fetch, log: optional.
 */
export function createBot(options) {
  const verifyDiscord = discordVerifier(options.discordPublicKey);
  const aura = options.aura instanceof AuraClient ? options.aura : new AuraClient(options.aura);
  const apiBase = (options.discordApiBase ?? "https://discord.com/api/v10").replace(/\/+$/, "");
  const publicUrl = options.publicUrl.replace(/\/+$/, "");
  const doFetch = options.fetch ?? fetch;
  const log = options.log ?? ((...a) => console.error("[aura-bot]", ...a));
  /** callback nonce -> {token, target, at} */
  const pending = new Map();
  const background = new Set();

  const track = (p) => {
    background.add(p);
    p.catch((e) => log("background task failed:", e)).finally(() => background.delete(p));
  };

  /** Edits the deferred "thinking…" message (`PATCH /webhooks/{app}/{token}/messages/@original`). */
  async function editOriginal(token, message) {
    const url = `${apiBase}/webhooks/${options.applicationId}/${token}/messages/@original`;
    const res = await doFetch(url, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify(message) });
    if (!res.ok) throw new Error(`Discord answered ${res.status} to the follow-up: ${await res.text().catch(() => "")}`);
  }

  function prune() {
    const now = Date.now();
    for (const [k, v] of pending) if (now - v.at > TOKEN_TTL_MS) pending.delete(k);
  }

  async function startScan(interaction, target) {
    const nonce = randomBytes(16).toString("hex");
    pending.set(nonce, { token: interaction.token, target, at: Date.now() });
    try {
      const sub = await aura.scanRepo({ url: target, callback_url: `${publicUrl}/aura/callback/${nonce}` });
      if (sub.cached && sub.result) {
        // A recent result: answer now. (The server still sends the callback; it finds no nonce.)
        pending.delete(nonce);
        const r = sub.result;
        await editOriginal(interaction.token, resultMessage({ target: sub.target, score: r.score, grade: r.grade, verdict: r.verdict, reportUrl: sub.report_url, redFlags: r.red_flags, greenFlags: r.green_flags, tags: r.tags }));
      } else {
        log(`scan ${sub.scan_id} of ${target} queued`);
      }
    } catch (e) {
      pending.delete(nonce);
      const why = e instanceof AuraError
        ? e.code === "invalid_target"
          ? `\`${target}\` is not a repository I can scan (use owner/repo or a GitHub URL).`
          : e.status === 429
            ? `AuraSecurity is busy (${e.code}); try again${e.retryAfter ? ` in ${e.retryAfter} s` : ""}.`
            : `AuraSecurity refused the scan: ${e.message} (${e.code})`
        : "AuraSecurity could not be reached.";
      await editOriginal(interaction.token, { content: `❌ ${why}`, allowed_mentions: { parse: [] } });
    }
  }

  async function onInteraction(req, res, raw) {
    if (!verifyDiscord(raw, req.headers["x-signature-ed25519"], req.headers["x-signature-timestamp"])) {
      return send(res, 401, { error: "invalid request signature" });
    }
    let interaction;
    try {
      interaction = JSON.parse(raw.toString("utf8"));
    } catch {
      return send(res, 400, { error: "bad JSON" });
    }
    if (interaction.type === InteractionType.PING) return send(res, 200, { type: ResponseType.PONG });
    if (interaction.type === InteractionType.APPLICATION_COMMAND && interaction.data?.name === SCAN_COMMAND.name) {
      const target = String(interaction.data.options?.find((o) => o.name === "repo")?.value ?? "").trim();
      if (!target) {
        return send(res, 200, { type: ResponseType.CHANNEL_MESSAGE, data: { content: "Usage: `/scan repo:owner/repo`", flags: EPHEMERAL } });
      }
      prune();
      // Answer within Discord's 3 seconds; the result follows as an edit.
      send(res, 200, { type: ResponseType.DEFERRED_CHANNEL_MESSAGE });
      track(startScan(interaction, target));
      return;
    }
    return send(res, 200, { type: ResponseType.CHANNEL_MESSAGE, data: { content: "Unknown command.", flags: EPHEMERAL } });
  }

  async function onCallback(req, res, raw, nonce) {
    let payload;
    try {
      payload = await parseWebhook(raw, req.headers, options.webhookSecret);
    } catch (e) {
      if (e instanceof WebhookVerificationError) return send(res, 401, { error: e.reason });
      return send(res, 400, { error: "bad payload" });
    }
    const p = pending.get(nonce);
    if (!p) return send(res, 200, { ok: true, note: "nothing waiting for this callback" });
    try {
      await editOriginal(
        p.token,
        resultMessage({
          target: payload.target ?? p.target,
          score: payload.score,
          grade: payload.grade,
          verdict: payload.verdict,
          reportUrl: payload.report_url,
          redFlags: payload.red_flags ?? [],
          greenFlags: payload.green_flags ?? [],
          tags: payload.tags ?? [],
          error: payload.event === "scan_failed" ? payload.error ?? "scan failed" : undefined,
        }),
      );
    } catch (e) {
      log("follow-up failed, AuraSecurity will retry the delivery:", e.message);
      return send(res, 502, { error: "Discord did not take the follow-up" });
    }
    pending.delete(nonce);
    return send(res, 200, { ok: true });
  }

  async function handler(req, res) {
    try {
      const url = new URL(req.url ?? "/", "http://bot");
      if (req.method === "GET" && url.pathname === "/health") return send(res, 200, { ok: true, pending: pending.size });
      if (req.method !== "POST") return send(res, 405, { error: "method not allowed" });
      const raw = await readBody(req, 1 << 20);
      if (url.pathname === "/interactions") return await onInteraction(req, res, raw);
      const m = /^\/aura\/callback\/([0-9a-f]{32})$/.exec(url.pathname);
      if (m) return await onCallback(req, res, raw, m[1]);
      return send(res, 404, { error: "not found" });
    } catch (e) {
      log("request failed:", e);
      if (!res.headersSent) send(res, 500, { error: "internal error" });
    }
  }

  return {
    handler,
    pending,
    /** Resolves when the background work started so far (scan submissions) has finished. */
    idle: () => Promise.allSettled([...background]),
    listen(port = 8787, host = "0.0.0.0") {
      const server = createServer(handler);
      return new Promise((ok) => server.listen(port, host, () => ok(server)));
    },
  };
}

function send(res, status, body) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on("data", (c) => {
      size += c.length;
      if (size > limit) {
        reject(new Error("body too large"));
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function required(name) {
  const v = process.env[name];
  if (!v) {
    console.error(`missing environment variable ${name}`);
    process.exit(2);
  }
  return v;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.PORT ?? 8787);
  const bot = createBot({
    discordPublicKey: required("DISCORD_PUBLIC_KEY"),
    applicationId: required("DISCORD_APPLICATION_ID"),
    discordApiBase: process.env.DISCORD_API_BASE,
    aura: { apiKey: required("AURA_API_KEY"), baseUrl: required("AURA_BASE_URL") },
    webhookSecret: required("AURA_WEBHOOK_SECRET"),
    publicUrl: required("BOT_PUBLIC_URL"),
  });
  await bot.listen(port, process.env.HOST ?? "0.0.0.0");
  console.error(`[aura-bot] interactions endpoint on :${port}/interactions; callbacks at ${process.env.BOT_PUBLIC_URL}/aura/callback/…`);
}
