// Webhook signature verification for both schemes AuraSecurity sends (see the contract):
//
//  * `X-AuraSecurity-Signature: sha256=<hex HMAC-SHA256(raw body)>`, keyed with the whole
//    secret string (`whsec_…` included);
//  * Standard Webhooks: `webhook-signature: v1,<base64 HMAC-SHA256("{id}.{timestamp}.{body}")>`,
//    keyed with the base64-decoded bytes after `whsec_`; `webhook-timestamp` bounds replays.
//
// During a secret rotation each header carries several space-separated signatures; any one
// matching is enough. Uses WebCrypto only (browsers, Node 18+, Deno, Bun, edge runtimes).
import type { WebhookPayload } from "./types.js";

export type HeadersLike =
  | Headers
  | Record<string, string | string[] | undefined>
  | Iterable<[string, string]>;

export interface VerifyWebhookOptions {
  /** Largest accepted distance between `webhook-timestamp` and now, in seconds (default 300). */
  toleranceSecs?: number;
  /**
   * Which signatures must verify: `both` (default: what the server always sends), `aura`
   * (`X-AuraSecurity-Signature` only), `standard` (`webhook-*` only) or `either`.
   * Replay protection (the timestamp) comes with the Standard Webhooks scheme only.
   */
  scheme?: "both" | "aura" | "standard" | "either";
  /** The current time in unix seconds (for tests). */
  now?: number;
}

export type WebhookFailure = "missing_headers" | "timestamp_out_of_range" | "invalid_signature";

/** Thrown by `parseWebhook` when a delivery does not verify. */
export class WebhookVerificationError extends Error {
  override readonly name = "WebhookVerificationError";
  constructor(readonly reason: WebhookFailure, message: string) {
    super(message);
  }
}

const encoder = new TextEncoder();

/**
 * True when the delivery's signatures verify with `secret` (or one of several secrets).
 * Pass the **raw** body exactly as received (string or bytes), never re-serialised JSON.
 */
export async function verifyWebhook(
  rawBody: string | Uint8Array | ArrayBuffer,
  headers: HeadersLike,
  secret: string | string[],
  options: VerifyWebhookOptions = {},
): Promise<boolean> {
  return (await check(rawBody, headers, secret, options)) === null;
}

/**
 * Verifies the delivery (as `verifyWebhook`) and answers its parsed JSON body; throws
 * `WebhookVerificationError` (with a `reason`) when it does not verify.
 */
export async function parseWebhook(
  rawBody: string | Uint8Array | ArrayBuffer,
  headers: HeadersLike,
  secret: string | string[],
  options: VerifyWebhookOptions = {},
): Promise<WebhookPayload> {
  const failure = await check(rawBody, headers, secret, options);
  if (failure) throw new WebhookVerificationError(failure, MESSAGES[failure]);
  const text = typeof rawBody === "string" ? rawBody : new TextDecoder().decode(rawBody);
  return JSON.parse(text) as WebhookPayload;
}

const MESSAGES: Record<WebhookFailure, string> = {
  missing_headers: "the delivery lacks the signature headers of the required scheme",
  timestamp_out_of_range: "webhook-timestamp is too far from the current time (a replay?)",
  invalid_signature: "no signature matches the secret",
};

async function check(
  rawBody: string | Uint8Array | ArrayBuffer,
  headers: HeadersLike,
  secret: string | string[],
  options: VerifyWebhookOptions,
): Promise<WebhookFailure | null> {
  if (rawBody === null || rawBody === undefined || (typeof rawBody === "object" && !(rawBody instanceof Uint8Array) && !(rawBody instanceof ArrayBuffer))) {
    throw new TypeError("verifyWebhook needs the raw request body (string, Uint8Array or ArrayBuffer), not parsed JSON");
  }
  const body = typeof rawBody === "string" ? encoder.encode(rawBody) : rawBody instanceof Uint8Array ? rawBody : new Uint8Array(rawBody);
  const secrets = (Array.isArray(secret) ? secret : [secret]).filter((s) => typeof s === "string" && s !== "");
  if (secrets.length === 0) throw new TypeError("verifyWebhook needs the webhook secret (whsec_…)");
  const h = normaliseHeaders(headers);
  const scheme = options.scheme ?? "both";
  const tolerance = options.toleranceSecs ?? 300;
  const now = options.now ?? Math.floor(Date.now() / 1000);

  const auraHeader = h.get("x-aurasecurity-signature");
  const stdId = h.get("webhook-id");
  const stdTs = h.get("webhook-timestamp");
  const stdSig = h.get("webhook-signature");

  const auraResult = async (): Promise<WebhookFailure | null> => {
    if (!auraHeader) return "missing_headers";
    const candidates = auraHeader.split(/\s+/).filter((s) => s.startsWith("sha256=")).map((s) => s.slice(7).toLowerCase());
    for (const s of secrets) {
      const expected = toHex(await hmac(encoder.encode(s), body));
      if (candidates.some((c) => safeEqual(c, expected))) return null;
    }
    return "invalid_signature";
  };
  const standardResult = async (): Promise<WebhookFailure | null> => {
    if (!stdId || !stdTs || !stdSig) return "missing_headers";
    if (!/^\d+$/.test(stdTs.trim()) || Math.abs(now - Number(stdTs.trim())) > tolerance) return "timestamp_out_of_range";
    const signed = concat(encoder.encode(`${stdId}.${stdTs.trim()}.`), body);
    const candidates = stdSig.split(/\s+/).filter((s) => s.startsWith("v1,")).map((s) => s.slice(3));
    for (const s of secrets) {
      let key: Uint8Array;
      try {
        key = fromBase64(s.startsWith("whsec_") ? s.slice(6) : s);
      } catch {
        continue;
      }
      const expected = toBase64(await hmac(key, signed));
      if (candidates.some((c) => safeEqual(c, expected))) return null;
    }
    return "invalid_signature";
  };

  switch (scheme) {
    case "aura":
      return auraResult();
    case "standard":
      return standardResult();
    case "either": {
      const [a, b] = await Promise.all([auraResult(), standardResult()]);
      if (a === null || b === null) return null;
      return a === "missing_headers" ? b : a;
    }
    default: {
      const a = await auraResult();
      if (a) return a;
      return standardResult();
    }
  }
}

function normaliseHeaders(headers: HeadersLike): { get(name: string): string | undefined } {
  if (typeof (headers as Headers)?.get === "function" && typeof (headers as Headers).has === "function") {
    const hh = headers as Headers;
    return { get: (n) => hh.get(n) ?? undefined };
  }
  const map = new Map<string, string>();
  const entries: Iterable<[string, unknown]> =
    Symbol.iterator in Object(headers) ? (headers as Iterable<[string, string]>) : Object.entries(headers as Record<string, unknown>);
  for (const [k, v] of entries) {
    if (v === undefined || v === null) continue;
    const value = Array.isArray(v) ? v.join(" ") : String(v);
    const key = k.toLowerCase();
    map.set(key, map.has(key) ? `${map.get(key)} ${value}` : value);
  }
  return { get: (n) => map.get(n) };
}

let subtlePromise: Promise<SubtleCrypto> | undefined;
function subtle(): Promise<SubtleCrypto> {
  subtlePromise ??= (async () => {
    const g = (globalThis as { crypto?: Crypto }).crypto;
    if (g?.subtle) return g.subtle;
    // Node 18 without the global: the same WebCrypto from node:crypto. The specifier is kept
    // out of static analysis so that browser bundlers never try to resolve it.
    const spec = "node:crypto";
    const mod = (await import(/* @vite-ignore */ /* webpackIgnore: true */ spec)) as { webcrypto: Crypto };
    return mod.webcrypto.subtle;
  })();
  return subtlePromise;
}

async function hmac(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const s = await subtle();
  const k = await s.importKey("raw", key as BufferSource, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await s.sign("HMAC", k, data as BufferSource));
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function toHex(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += x.toString(16).padStart(2, "0");
  return s;
}

function toBase64(b: Uint8Array): string {
  let bin = "";
  for (const x of b) bin += String.fromCharCode(x);
  return btoa(bin);
}

function fromBase64(s: string): Uint8Array {
  const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Constant-time comparison of two ASCII strings (length is not secret). */
function safeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
