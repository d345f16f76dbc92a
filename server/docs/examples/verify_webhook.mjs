// Verifying an AuraSecurity webhook in Node.js (no dependencies).
// Usage as a check: node verify_webhook.mjs SECRET BODY_FILE HEADERS_JSON_FILE
// (the integration tests run it against real deliveries). In a web app, pass the *raw*
// request body (e.g. express.raw({ type: "application/json" })), not re-serialised JSON.
import { createHmac, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";

const same = (a, b) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export function verifyAura(secret, body, header) {
  // sha256=<hex> values, space-separated during a rotation; keyed with the whole secret.
  const expected = createHmac("sha256", secret).update(body).digest("hex");
  return header.split(" ").filter((s) => s.startsWith("sha256=")).some((s) => same(s.slice(7), expected));
}

export function verifyStandard(secret, id, timestamp, body, header, toleranceSecs = 300) {
  // Standard Webhooks: v1,<base64> over "{id}.{timestamp}.{body}", keyed with the bytes
  // after whsec_ (base64-decoded). Old timestamps are replays.
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > toleranceSecs) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = createHmac("sha256", key).update(`${id}.${timestamp}.`).update(body).digest("base64");
  return header.split(" ").filter((s) => s.startsWith("v1,")).some((s) => same(s.slice(3), expected));
}

export function verify(secret, body, headers) {
  const h = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return (
    verifyAura(secret, body, h["x-aurasecurity-signature"] ?? "") &&
    verifyStandard(secret, h["webhook-id"] ?? "", h["webhook-timestamp"] ?? "0", body, h["webhook-signature"] ?? "")
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [secret, bodyFile, headersFile] = process.argv.slice(2);
  const ok = verify(secret, readFileSync(bodyFile), JSON.parse(readFileSync(headersFile, "utf8")));
  console.log(ok ? "ok" : "invalid");
  process.exit(ok ? 0 : 1);
}
