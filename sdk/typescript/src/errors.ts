/**
 * Every failure of an API call is an `AuraError`: the contract's error `code`
 * (`{"error": {"code", "message"}}`), the HTTP `status` and, for 429 and 503, the
 * server's `Retry-After` in seconds.
 *
 * Failures that never reached an answer carry `status: 0` and the code `network_error`
 * or `timeout`. Aborts through an `AbortSignal` are not wrapped: the signal's reason is
 * thrown as is.
 */
export class AuraError extends Error {
  override readonly name = "AuraError";
  /** The contract's snake_case code, e.g. `rate_limited`, `invalid_target`, `not_found`. */
  readonly code: string;
  /** HTTP status; 0 when no answer arrived. */
  readonly status: number;
  /** Seconds the server asked to wait (`Retry-After`), or null. */
  readonly retryAfter: number | null;
  /** The server's `X-Request-Id`, for support requests. */
  readonly requestId: string | null;
  /** The decoded error body (or its text when it was not JSON). */
  readonly body: unknown;

  constructor(init: {
    code: string;
    message: string;
    status: number;
    retryAfter?: number | null;
    requestId?: string | null;
    body?: unknown;
    cause?: unknown;
  }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.status = init.status;
    this.retryAfter = init.retryAfter ?? null;
    this.requestId = init.requestId ?? null;
    this.body = init.body;
  }

  /** Builds the error from a non-2xx response (consumes its body). */
  static async fromResponse(res: Response): Promise<AuraError> {
    const text = await res.text().catch(() => "");
    let body: unknown = text;
    let code = `http_${res.status}`;
    let message = text.trim().slice(0, 500) || `HTTP ${res.status} ${res.statusText}`.trim();
    try {
      body = JSON.parse(text);
      const e = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
      if (e && typeof e.code === "string") code = e.code;
      if (e && typeof e.message === "string") message = e.message;
    } catch {
      // not JSON (a proxy's page): keep the text
    }
    return new AuraError({
      code,
      message,
      status: res.status,
      retryAfter: parseRetryAfter(res.headers.get("retry-after")),
      requestId: res.headers.get("x-request-id"),
      body,
    });
  }
}

/** `Retry-After` as seconds: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (value == null || value.trim() === "") return null;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - now) / 1000));
}
