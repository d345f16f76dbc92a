import { AuraError, parseRetryAfter } from "./errors.js";
import { parseSse } from "./sse.js";
import type {
  AuditEntry,
  AuditQuery,
  CompareScanRequest,
  CreateKeyRequest,
  CreatePartnerRequest,
  CreatePartnerResponse,
  CreateWebhookRequest,
  Delivery,
  DeliveryDetail,
  DeliveryQuery,
  EmbedSettings,
  EnableWebhookRequest,
  EnableWebhookResult,
  Health,
  Info,
  Job,
  JobQuery,
  KeyInfo,
  LookupResponse,
  NewKeyResponse,
  PageQuery,
  Partner,
  PartnerQuery,
  RegisterRequest,
  RegisterResponse,
  RepoScanRequest,
  ReplayRequest,
  ReplayResult,
  RotateKeyRequest,
  RotateSecretRequest,
  ScanEvent,
  ScanObject,
  ScanSubmission,
  ScanAccepted,
  UpdateEmbedSettingsRequest,
  UpdatePartnerRequest,
  UsageResponse,
  Webhook,
  WebhookSecret,
  XProfileScanRequest,
} from "./types.js";

export const SDK_VERSION = "0.1.0";

export interface AuraClientOptions {
  /** `aura_pk_…`. Optional only for the public calls (`getScan`, streams, `register`, `info`). */
  apiKey?: string;
  /** Where the product runs, e.g. `https://aurasecurity.example` (a trailing `/v1` is accepted). */
  baseUrl: string;
  /** A `fetch` implementation; defaults to the global one (Node 18+, browsers, Deno, Bun, workers). */
  fetch?: typeof fetch;
  /** Retries of a 429 or 503 answer before the error is thrown (default 3; 0 disables). */
  maxRetries?: number;
  /** Longest single wait for a retry, in ms (default 60 000). A longer `Retry-After` throws at once. */
  maxRetryDelayMs?: number;
  /** Per-request timeout in ms for ordinary calls (default 30 000; streams have none). */
  timeoutMs?: number;
  /** Extra headers for every request. */
  headers?: Record<string, string>;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** Overrides the client's timeout for this call. */
  timeoutMs?: number;
}

export interface WaitOptions extends RequestOptions {
  /** Called with every stream event (`scan_started`, `progress`…, the final event); when polling, with `progress` events made from the scan object. */
  onProgress?: (event: ScanEvent) => void;
  /** `auto` (default): the event stream, falling back to polling when it is unavailable; or force one. */
  transport?: "auto" | "stream" | "poll";
  /** Polling interval in ms (default 2 000). */
  pollIntervalMs?: number;
  /** Reconnections of a dropped stream (with `Last-Event-ID`) before polling takes over (default 5). */
  maxReconnects?: number;
  /** Give up after this many ms with `AuraError` code `timeout` (default: wait as long as it takes). */
  timeoutMs?: number;
}

export interface StreamOptions {
  signal?: AbortSignal;
  /** Resume after this event id. */
  lastEventId?: string;
  /** Reconnections of a dropped stream before the iterator throws (default 5). */
  maxReconnects?: number;
}

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
type Query = Record<string, string | number | boolean | null | undefined>;

interface CallInit extends RequestOptions {
  query?: Query | undefined;
  body?: unknown;
  /** Send the key even on public routes (default true when configured). */
  auth?: boolean;
  /** An absolute URL instead of `path` (pagination). */
  url?: string;
  /** Extra headers for this call. */
  headers?: Record<string, string>;
}

const isBrowser = typeof (globalThis as { document?: unknown }).document !== "undefined";
const enc = encodeURIComponent;

/**
 * The AuraSecurity API client.
 *
 * ```ts
 * const aura = new AuraClient({ apiKey: process.env.AURA_API_KEY, baseUrl: "https://aura.example" });
 * const sub = await aura.scanRepo("owner/repo");
 * const scan = await aura.waitForResult(sub.scan_id, { onProgress: (e) => console.log(e) });
 * ```
 */
export class AuraClient {
  readonly baseUrl: string;
  readonly #apiKey: string | undefined;
  readonly #fetch: typeof fetch;
  readonly #maxRetries: number;
  readonly #maxRetryDelayMs: number;
  readonly #timeoutMs: number;
  readonly #headers: Record<string, string>;

  constructor(options: AuraClientOptions) {
    if (!options || typeof options.baseUrl !== "string" || options.baseUrl === "") {
      throw new TypeError("AuraClient: baseUrl is required, e.g. new AuraClient({ apiKey, baseUrl: 'https://aura.example' })");
    }
    const u = new URL(options.baseUrl);
    u.pathname = u.pathname.replace(/\/+$/, "").replace(/\/v1$/, "");
    u.search = "";
    u.hash = "";
    this.baseUrl = u.toString().replace(/\/+$/, "");
    this.#apiKey = options.apiKey;
    const f = options.fetch ?? globalThis.fetch;
    if (typeof f !== "function") throw new TypeError("AuraClient: no fetch available; pass options.fetch");
    this.#fetch = f.bind(globalThis);
    this.#maxRetries = Math.max(0, options.maxRetries ?? 3);
    this.#maxRetryDelayMs = options.maxRetryDelayMs ?? 60_000;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#headers = { ...(options.headers ?? {}) };
  }

  // ---------------------------------------------------------------- transport

  /**
   * One API call with the client's authentication, timeout and bounded retry of 429/503
   * (honouring `Retry-After`). Answers the raw `Response` when it is 2xx; throws `AuraError`
   * otherwise. Every typed method goes through here; use it for routes this SDK predates.
   */
  async fetchRaw(method: Method, path: string, init: CallInit = {}): Promise<Response> {
    const url = init.url ?? this.url(path, init.query);
    const headers: Record<string, string> = { accept: "application/json", ...this.#headers, ...(init.headers ?? {}) };
    if (this.#apiKey && init.auth !== false) headers.authorization = `Bearer ${this.#apiKey}`;
    if (!isBrowser && !Object.keys(headers).some((h) => h.toLowerCase() === "user-agent")) {
      headers["user-agent"] = `aurasecurity-sdk-typescript/${SDK_VERSION}`;
    }
    let body: string | undefined;
    if (init.body !== undefined) {
      body = JSON.stringify(init.body);
      headers["content-type"] = "application/json";
    }
    for (let attempt = 0; ; attempt++) {
      const res = await this.#send(url, { method, headers, body }, init.signal, init.timeoutMs ?? this.#timeoutMs);
      if (res.ok) return res;
      const err = await AuraError.fromResponse(res);
      const retryable = (res.status === 429 || res.status === 503) && !NOT_RETRYABLE.has(err.code);
      if (!retryable || attempt >= this.#maxRetries) throw err;
      const delayMs = err.retryAfter != null ? err.retryAfter * 1000 : Math.min(8_000, 500 * 2 ** attempt) * (0.8 + Math.random() * 0.4);
      if (delayMs > this.#maxRetryDelayMs) throw err;
      await sleep(delayMs, init.signal);
    }
  }

  async #send(url: string, init: RequestInit, signal: AbortSignal | undefined, timeoutMs: number): Promise<Response> {
    const ctl = new AbortController();
    const onAbort = () => ctl.abort(signal?.reason);
    if (signal?.aborted) throw signal.reason;
    signal?.addEventListener("abort", onAbort, { once: true });
    let timedOut = false;
    const timer = timeoutMs > 0 && Number.isFinite(timeoutMs)
      ? setTimeout(() => {
          timedOut = true;
          ctl.abort();
        }, timeoutMs)
      : undefined;
    try {
      return await this.#fetch(url, { ...init, signal: ctl.signal });
    } catch (e) {
      if (signal?.aborted) throw signal.reason;
      if (timedOut) {
        throw new AuraError({ code: "timeout", message: `${init.method} ${url} took longer than ${timeoutMs} ms`, status: 0, cause: e });
      }
      throw new AuraError({ code: "network_error", message: `${init.method} ${url}: ${(e as Error)?.message ?? e}`, status: 0, cause: e });
    } finally {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }
  }

  /** JSON of a successful call (undefined for 204). */
  async request<T>(method: Method, path: string, init: CallInit = {}): Promise<T> {
    const res = await this.fetchRaw(method, path, init);
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    if (text === "") return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      throw new AuraError({ code: "invalid_response", message: `${method} ${path}: the answer is not JSON`, status: res.status, body: text, cause: e });
    }
  }

  /** Absolute URL of an API path (`/v1/...`) with a query string. */
  url(path: string, query?: Query): string {
    const u = new URL(this.baseUrl + (path.startsWith("/") ? path : `/${path}`));
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v !== undefined && v !== null) u.searchParams.set(k, String(v));
    }
    return u.toString();
  }

  /**
   * Every item of a list endpoint, page after page: follows `Link: <…>; rel="next"` when the
   * server sends one (only to this client's own origin, so the key never leaves it).
   */
  async *paginate<T>(path: string, query?: Query, options: RequestOptions = {}): AsyncGenerator<T> {
    let url: string | undefined = this.url(path, query);
    const origin = new URL(this.baseUrl).origin;
    const seen = new Set<string>();
    while (url) {
      seen.add(url);
      const res = await this.fetchRaw("GET", path, { ...options, url });
      const page = (await res.json()) as T[];
      if (!Array.isArray(page)) throw new AuraError({ code: "invalid_response", message: `GET ${path}: expected a JSON array`, status: res.status, body: page });
      for (const item of page) yield item;
      const next = parseLinkHeader(res.headers.get("link")).next;
      url = undefined;
      if (next) {
        const abs = new URL(next, res.url || url || this.baseUrl);
        if (abs.origin === origin && !seen.has(abs.toString())) url = abs.toString();
      }
    }
  }

  /** Collects `paginate` into an array (at most `maxItems`, default unlimited). */
  async listAll<T>(path: string, query?: Query, options: RequestOptions & { maxItems?: number } = {}): Promise<T[]> {
    const out: T[] = [];
    const max = options.maxItems ?? Infinity;
    if (max <= 0) return out;
    for await (const item of this.paginate<T>(path, query, options)) {
      out.push(item);
      if (out.length >= max) break;
    }
    return out;
  }

  // ---------------------------------------------------------------- service

  /** `GET /info`. */
  info(options?: RequestOptions): Promise<Info> {
    return this.request("GET", "/info", { ...options, auth: false });
  }

  /** `GET /health` (throws `AuraError` 503 when the database does not answer). */
  health(options?: RequestOptions): Promise<Health> {
    return this.request("GET", "/health", { ...options, auth: false });
  }

  /** `GET /openapi.json`: the server's own OpenAPI description. */
  openapi(options?: RequestOptions): Promise<Record<string, unknown>> {
    return this.request("GET", "/openapi.json", { ...options, auth: false });
  }

  // ---------------------------------------------------------------- scans

  /**
   * `POST /v1/scan/repo`. `url`: `https://github.com/{owner}/{repo}`, `{owner}/{repo}` or an
   * https git URL. Answers a queued scan (202) or, when a recent result exists and `fresh` is
   * not set, the cached scan object (`cached: true`). Either way `scan_id` is there.
   */
  scanRepo(target: string | RepoScanRequest, options?: RequestOptions): Promise<ScanSubmission> {
    const body = typeof target === "string" ? { url: target } : target;
    return this.request("POST", "/v1/scan/repo", { ...options, body });
  }

  /** `POST /v1/scan/x-profile` (503 `x_api_not_configured` when the server has no X token). */
  scanXProfile(handle: string | XProfileScanRequest, options?: RequestOptions): Promise<ScanAccepted> {
    const body = typeof handle === "string" ? { handle } : handle;
    return this.request("POST", "/v1/scan/x-profile", { ...options, body });
  }

  /** `POST /v1/scan/compare`: two repositories side by side. */
  compare(a: string | CompareScanRequest, b?: string, options?: RequestOptions & { callback_url?: string }): Promise<ScanAccepted> {
    const body = typeof a === "string" ? { url_a: a, url_b: b ?? "", ...(options?.callback_url ? { callback_url: options.callback_url } : {}) } : a;
    return this.request("POST", "/v1/scan/compare", { ...options, body });
  }

  /** `GET /v1/scan/{id}` (public; the key is sent when configured, to be metered). */
  getScan(scanId: string, options?: RequestOptions): Promise<ScanObject> {
    return this.request("GET", `/v1/scan/${enc(scanId)}`, options);
  }

  /** `GET /v1/scan/latest?target=`: the newest completed scan of a target; `null` when never scanned. Starts nothing. */
  async latest(target: string, options?: RequestOptions): Promise<ScanObject | null> {
    try {
      return await this.request<ScanObject>("GET", "/v1/scan/latest", { ...options, query: { target } });
    } catch (e) {
      if (e instanceof AuraError && e.status === 404 && e.code === "not_found") return null;
      throw e;
    }
  }

  /** `POST /v1/scan/lookup`: the latest completed scan of up to 100 targets at once. Starts nothing. */
  lookup(targets: string[], options?: RequestOptions): Promise<LookupResponse> {
    return this.request("POST", "/v1/scan/lookup", { ...options, body: { targets } });
  }

  /**
   * `GET /v1/scans`: the calling account's own scans (started with any of its keys, its
   * dashboard or its widget), newest first, every page (bounded by `maxItems` if given).
   */
  listScans(query: PageQuery = {}, options?: RequestOptions & { maxItems?: number }): Promise<ScanObject[]> {
    return this.listAll("/v1/scans", { ...query }, options);
  }

  /** `GET /v1/scans` as an async iterator, page after page. */
  iterateScans(query: PageQuery = {}, options?: RequestOptions): AsyncGenerator<ScanObject> {
    return this.paginate("/v1/scans", { ...query }, options);
  }

  /** The account's scans: `scans.list()` is `listScans()`, `scans.iterate()` is `iterateScans()`. */
  readonly scans = {
    list: (query: PageQuery = {}, options?: RequestOptions & { maxItems?: number }): Promise<ScanObject[]> => this.listScans(query, options),
    iterate: (query: PageQuery = {}, options?: RequestOptions): AsyncGenerator<ScanObject> => this.iterateScans(query, options),
  };

  /**
   * The scan's event stream (`GET /v1/scan/{id}/stream`), parsed by hand over `fetch`. A
   * dropped connection is resumed with `Last-Event-ID`; the iterator ends after
   * `scan_completed` / `scan_failed` (or when the server has nothing left to send).
   */
  async *events(scanId: string, options: StreamOptions = {}): AsyncGenerator<ScanEvent> {
    let lastId = options.lastEventId;
    let failures = 0;
    let retryMs = 1000;
    const maxReconnects = options.maxReconnects ?? 5;
    for (;;) {
      let res: Response;
      try {
        res = await this.fetchRaw("GET", `/v1/scan/${enc(scanId)}/stream`, {
          signal: options.signal,
          timeoutMs: 0,
          headers: { accept: "text/event-stream", ...(lastId !== undefined ? { "last-event-id": lastId } : {}) },
        });
      } catch (e) {
        // Network trouble and 5xx: reconnect; anything the server meant (404, 429…): throw.
        if (options.signal?.aborted || !(e instanceof AuraError) || (e.status !== 0 && e.status < 500) || ++failures > maxReconnects) throw e;
        await sleep(retryMs, options.signal);
        continue;
      }
      if (res.status === 204) return; // finished, nothing after Last-Event-ID
      if (!res.body) throw new AuraError({ code: "stream_unsupported", message: "this fetch gives no response body stream", status: res.status });
      let terminal = false;
      try {
        for await (const msg of parseSse(res.body, options.signal)) {
          if (msg.id !== undefined) lastId = msg.id;
          if (msg.retry !== undefined) retryMs = msg.retry;
          let data: unknown;
          try {
            data = JSON.parse(msg.data);
          } catch {
            data = msg.data;
          }
          failures = 0;
          const event = { type: msg.event, ...(msg.id !== undefined ? { id: msg.id } : {}), data } as ScanEvent;
          yield event;
          if (msg.event === "scan_completed" || msg.event === "scan_failed") {
            terminal = true;
            return;
          }
        }
      } catch (e) {
        if (options.signal?.aborted) throw options.signal.reason;
        if (++failures > maxReconnects) throw new AuraError({ code: "network_error", message: `the event stream of ${scanId} kept failing`, status: 0, cause: e });
        await sleep(retryMs, options.signal);
        continue;
      }
      if (terminal) return;
      // The server closed before the end: resume after the last event.
      if (++failures > maxReconnects) throw new AuraError({ code: "network_error", message: `the event stream of ${scanId} kept closing early`, status: 0 });
      await sleep(retryMs, options.signal);
    }
  }

  /**
   * Waits for a scan to finish and answers its final scan object (`status` is `completed` or
   * `failed`; a failed scan is not thrown). Follows the event stream, resuming with
   * `Last-Event-ID` after a dropped connection, and falls back to polling `GET /v1/scan/{id}`
   * when streaming is unavailable (no body stream, `too_many_streams`, repeated failures).
   */
  async waitForResult(scanId: string, options: WaitOptions = {}): Promise<ScanObject> {
    const ctl = new AbortController();
    const outer = options.signal;
    const onAbort = () => ctl.abort(outer?.reason);
    if (outer?.aborted) throw outer.reason;
    outer?.addEventListener("abort", onAbort, { once: true });
    let timedOut = false;
    const timer = options.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          ctl.abort();
        }, options.timeoutMs)
      : undefined;
    const signal = ctl.signal;
    const emit = (e: ScanEvent) => {
      try {
        options.onProgress?.(e);
      } catch {
        // a throwing callback must not break the wait
      }
    };
    try {
      const transport = options.transport ?? "auto";
      if (transport !== "poll") {
        try {
          for await (const e of this.events(scanId, { signal, maxReconnects: options.maxReconnects ?? 5 })) emit(e);
          const scan = await this.getScan(scanId, { signal });
          if (isFinished(scan)) return scan;
          // The event said it ended but the record lags: poll the rest.
        } catch (e) {
          if (signal.aborted) throw e;
          const fallback = e instanceof AuraError && (e.status === 0 || e.status >= 500 || e.code === "too_many_streams" || e.code === "stream_unsupported");
          if (transport === "stream" || !fallback) throw e;
        }
      }
      return await this.#poll(scanId, options.pollIntervalMs ?? 2000, signal, emit);
    } catch (e) {
      if (timedOut) throw new AuraError({ code: "timeout", message: `scan ${scanId} did not finish within ${options.timeoutMs} ms`, status: 0, cause: e });
      throw e;
    } finally {
      if (timer) clearTimeout(timer);
      outer?.removeEventListener("abort", onAbort);
    }
  }

  async #poll(scanId: string, intervalMs: number, signal: AbortSignal, emit: (e: ScanEvent) => void): Promise<ScanObject> {
    let last = -1;
    for (;;) {
      const scan = await this.getScan(scanId, { signal });
      if (scan.progress !== last && !isFinished(scan)) {
        last = scan.progress;
        emit({ type: "progress", data: { percent: scan.progress, message: scan.status } });
      }
      if (isFinished(scan)) {
        if (scan.status === "completed" && scan.result) {
          emit({ type: "scan_completed", data: { scanId, score: scan.result.score, grade: scan.result.grade, verdict: scan.result.verdict, reportUrl: scan.report_url } });
        } else if (scan.status === "failed") {
          emit({ type: "scan_failed", data: { scanId, error: scan.error ?? "scan failed" } });
        }
        return scan;
      }
      await sleep(intervalMs, signal);
    }
  }

  // ---------------------------------------------------------------- accounts and keys

  /** `POST /v1/auth/register`: a new self-service account (no key needed). */
  register(body: RegisterRequest, options?: RequestOptions): Promise<RegisterResponse> {
    return this.request("POST", "/v1/auth/register", { ...options, body, auth: false });
  }

  /** `GET /v1/auth/usage`: tier, limits, today's counts, daily history, top repositories. */
  usage(options?: RequestOptions): Promise<UsageResponse> {
    return this.request("GET", "/v1/auth/usage", options);
  }

  /** API keys of the calling account. */
  readonly keys = {
    /** `POST /v1/auth/keys`: the full key is in `api_key`, shown this once. */
    create: (body: CreateKeyRequest = {}, options?: RequestOptions): Promise<NewKeyResponse> =>
      this.request("POST", "/v1/auth/keys", { ...options, body }),
    /** `GET /v1/auth/keys`, every page. */
    list: (query: PageQuery = {}, options?: RequestOptions & { maxItems?: number }): Promise<KeyInfo[]> =>
      this.listAll("/v1/auth/keys", { ...query }, options),
    /** `GET /v1/auth/keys` as an async iterator. */
    iterate: (query: PageQuery = {}, options?: RequestOptions): AsyncGenerator<KeyInfo> => this.paginate("/v1/auth/keys", { ...query }, options),
    /** `POST /v1/auth/keys/{id}/rotate`: a new key; the old one stops after `expire_old_in_secs`. */
    rotate: (id: string, body: RotateKeyRequest = {}, options?: RequestOptions): Promise<NewKeyResponse> =>
      this.request("POST", `/v1/auth/keys/${enc(id)}/rotate`, { ...options, body }),
    /** `DELETE /v1/auth/keys/{id}`: refused from the next request on. */
    revoke: (id: string, options?: RequestOptions): Promise<void> => this.request("DELETE", `/v1/auth/keys/${enc(id)}`, options),
  };

  // ---------------------------------------------------------------- webhooks

  readonly webhooks = {
    /** `POST /v1/webhooks` (events default to `scan_completed` and `scan_failed`). */
    create: (body: CreateWebhookRequest, options?: RequestOptions): Promise<Webhook> => this.request("POST", "/v1/webhooks", { ...options, body }),
    /** `GET /v1/webhooks`, every page. */
    list: (query: PageQuery = {}, options?: RequestOptions & { maxItems?: number }): Promise<Webhook[]> =>
      this.listAll("/v1/webhooks", { ...query }, options),
    iterate: (query: PageQuery = {}, options?: RequestOptions): AsyncGenerator<Webhook> => this.paginate("/v1/webhooks", { ...query }, options),
    /** `DELETE /v1/webhooks/{id}`. */
    delete: (id: string, options?: RequestOptions): Promise<void> => this.request("DELETE", `/v1/webhooks/${enc(id)}`, options),
    /** `POST /v1/webhooks/{id}/enable`: turn a disabled endpoint back on (`replay: true` re-queues what it missed). */
    enable: (id: string, body: EnableWebhookRequest = {}, options?: RequestOptions): Promise<EnableWebhookResult> =>
      this.request("POST", `/v1/webhooks/${enc(id)}/enable`, { ...options, body }),
    /** `POST /v1/webhooks/{id}/test`: send a `test` event. */
    test: (id: string, options?: RequestOptions): Promise<unknown> => this.request("POST", `/v1/webhooks/${enc(id)}/test`, options),
    /** `GET /v1/webhooks/deliveries`, every page (newest first). */
    deliveries: (query: DeliveryQuery = {}, options?: RequestOptions & { maxItems?: number }): Promise<Delivery[]> =>
      this.listAll("/v1/webhooks/deliveries", { ...query }, options),
    iterateDeliveries: (query: DeliveryQuery = {}, options?: RequestOptions): AsyncGenerator<Delivery> =>
      this.paginate("/v1/webhooks/deliveries", { ...query }, options),
    /** `GET /v1/webhooks/deliveries/{id}`: the exact body and every attempt. */
    getDelivery: (id: string, options?: RequestOptions): Promise<DeliveryDetail> => this.request("GET", `/v1/webhooks/deliveries/${enc(id)}`, options),
    /** `POST /v1/webhooks/deliveries/{id}/redeliver`: one more attempt, same id and body. */
    redeliver: (id: string, options?: RequestOptions): Promise<unknown> => this.request("POST", `/v1/webhooks/deliveries/${enc(id)}/redeliver`, options),
    /** `POST /v1/webhooks/deliveries/replay`: re-queue every failed delivery since a time. */
    replay: (body: ReplayRequest, options?: RequestOptions): Promise<ReplayResult> => this.request("POST", "/v1/webhooks/deliveries/replay", { ...options, body }),
    /** `POST /v1/webhooks/secret/rotate`: a new `whsec_…`; the old one keeps signing for `grace_period_secs`. */
    rotateSecret: (body: RotateSecretRequest = {}, options?: RequestOptions): Promise<WebhookSecret> =>
      this.request("POST", "/v1/webhooks/secret/rotate", { ...options, body }),
  };

  // ---------------------------------------------------------------- embeds

  readonly embed = {
    /** `GET /v1/embed/settings`. */
    getSettings: (options?: RequestOptions): Promise<EmbedSettings> => this.request("GET", "/v1/embed/settings", options),
    /** `PUT /v1/embed/settings`: allowed domains (https origins or http://localhost) and default theme. */
    updateSettings: (body: UpdateEmbedSettingsRequest, options?: RequestOptions): Promise<EmbedSettings> =>
      this.request("PUT", "/v1/embed/settings", { ...options, body }),
    /** URL of the embeddable widget for a GitHub `owner/repo` (for an `<iframe src>`). */
    scanUrl: (repo: string, opts: { partner?: string; theme?: "dark" | "light"; compact?: boolean } = {}): string =>
      this.url("/embed/scan", { repo, partner: opts.partner, theme: opts.theme, compact: opts.compact ? "true" : undefined }),
    /** URL of the widget showing one scan. */
    resultUrl: (scanId: string, opts: { partner?: string; theme?: "dark" | "light"; compact?: boolean } = {}): string =>
      this.url(`/embed/result/${enc(scanId)}`, { partner: opts.partner, theme: opts.theme, compact: opts.compact ? "true" : undefined }),
    /** The README badge image URL of a GitHub `owner/repo`. */
    badgeUrl: (repo: string): string => this.url(`/badge/${repo.split("/").map(enc).join("/")}.svg`),
    /** The public page of a repository's latest report (what badges link to). */
    reportUrl: (repo: string): string => this.url(`/report/github/${repo.split("/").map(enc).join("/")}`),
  };

  // ---------------------------------------------------------------- administration

  /** Admin operations (an admin account's key; a partner's key gets 403 `forbidden`). */
  readonly admin = {
    /** `POST /v1/admin/partners`: the partner's first key and webhook secret are in the answer, shown once. */
    createPartner: (body: CreatePartnerRequest, options?: RequestOptions): Promise<CreatePartnerResponse> =>
      this.request("POST", "/v1/admin/partners", { ...options, body }),
    /** `GET /v1/admin/partners`, every page. */
    listPartners: (query: PartnerQuery = {}, options?: RequestOptions & { maxItems?: number }): Promise<Partner[]> =>
      this.listAll("/v1/admin/partners", { ...query }, options),
    iteratePartners: (query: PartnerQuery = {}, options?: RequestOptions): AsyncGenerator<Partner> => this.paginate("/v1/admin/partners", { ...query }, options),
    /** `PATCH /v1/admin/partners/{account_id}`: tier and/or `active`/`suspended`. */
    updatePartner: (accountId: string, body: UpdatePartnerRequest, options?: RequestOptions): Promise<Partner> =>
      this.request("PATCH", `/v1/admin/partners/${enc(accountId)}`, { ...options, body }),
    /** `POST /v1/admin/partners/{account_id}/invite`: a new invitation link (also resets a password). */
    invitePartner: (accountId: string, options?: RequestOptions): Promise<{ invite_url: string }> =>
      this.request("POST", `/v1/admin/partners/${enc(accountId)}/invite`, options),
    /** `GET /v1/admin/audit`, every page (bounded by `maxItems` if given). */
    audit: (query: AuditQuery = {}, options?: RequestOptions & { maxItems?: number }): Promise<AuditEntry[]> =>
      this.listAll("/v1/admin/audit", { ...query }, options),
    iterateAudit: (query: AuditQuery = {}, options?: RequestOptions): AsyncGenerator<AuditEntry> => this.paginate("/v1/admin/audit", { ...query }, options),
    /** `GET /v1/admin/jobs`: the job queue. */
    jobs: (query: JobQuery = {}, options?: RequestOptions & { maxItems?: number }): Promise<Job[]> => this.listAll("/v1/admin/jobs", { ...query }, options),
    /** `POST /v1/admin/jobs/{id}/retry`. */
    retryJob: (id: number | string, options?: RequestOptions): Promise<unknown> => this.request("POST", `/v1/admin/jobs/${enc(String(id))}/retry`, options),
  };
}

/** Codes that a retry cannot fix even though they come as 429/503. */
const NOT_RETRYABLE = new Set(["x_api_not_configured", "daily_quota_exceeded"]);

function isFinished(scan: ScanObject): boolean {
  return scan.status === "completed" || scan.status === "failed";
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, Math.max(0, ms));
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Parses an RFC 8288 `Link` header into `{rel: url}`. */
export function parseLinkHeader(value: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  if (!value) return out;
  for (const m of value.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]+)*)/g)) {
    const rel = /;\s*rel\s*=\s*"?([^";]+)"?/i.exec(m[2] ?? "");
    if (!rel || m[1] === undefined) continue;
    for (const r of (rel[1] ?? "").trim().split(/\s+/)) out[r.toLowerCase()] ??= m[1];
  }
  return out;
}

export { parseRetryAfter };
