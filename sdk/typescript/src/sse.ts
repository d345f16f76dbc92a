/** One server-sent event as the WHATWG parsing rules produce it. */
export interface SseMessage {
  /** `event:` field, `"message"` when absent. */
  event: string;
  /** `data:` lines joined with `\n`. */
  data: string;
  /** The last event id seen on this stream (`id:`), or undefined. */
  id: string | undefined;
  /** A `retry:` reconnection time in ms, when the server sent one with this event. */
  retry: number | undefined;
}

/**
 * Parses a `text/event-stream` body by hand (no EventSource: it cannot send an
 * `Authorization` header, and we want `Last-Event-ID` under our control). Works on any
 * `ReadableStream<Uint8Array>`, i.e. `fetch`'s `response.body` in Node 18+ and browsers.
 */
export async function* parseSse(body: ReadableStream<Uint8Array>, signal?: AbortSignal): AsyncGenerator<SseMessage> {
  const reader = body.getReader();
  const decoder = new TextDecoder("utf-8");
  let buffer = "";
  let first = true;
  let event = "";
  let data: string[] = [];
  let hasData = false;
  let lastId: string | undefined;
  let retry: number | undefined;
  const onAbort = () => {
    reader.cancel(signal?.reason).catch(() => {});
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      const { value, done } = await reader.read();
      if (signal?.aborted) throw signal.reason;
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      if (first && buffer.length > 0) {
        if (buffer.charCodeAt(0) === 0xfeff) buffer = buffer.slice(1);
        first = false;
      }
      // Split complete lines (CRLF, LF or CR). A trailing CR may be half of a CRLF: wait.
      let start = 0;
      for (let i = 0; i < buffer.length; i++) {
        const c = buffer.charCodeAt(i);
        if (c !== 10 && c !== 13) continue;
        if (c === 13 && i === buffer.length - 1 && !done) break;
        const line = buffer.slice(start, i);
        if (c === 13 && buffer.charCodeAt(i + 1) === 10) i++;
        start = i + 1;
        if (line === "") {
          if (hasData) {
            yield { event: event || "message", data: data.join("\n"), id: lastId, retry };
          }
          event = "";
          data = [];
          hasData = false;
          retry = undefined;
          continue;
        }
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon === -1 ? line : line.slice(0, colon);
        let val = colon === -1 ? "" : line.slice(colon + 1);
        if (val.startsWith(" ")) val = val.slice(1);
        switch (field) {
          case "event":
            event = val;
            break;
          case "data":
            data.push(val);
            hasData = true;
            break;
          case "id":
            if (!val.includes("\0")) lastId = val;
            break;
          case "retry":
            if (/^\d+$/.test(val)) retry = Number(val);
            break;
        }
      }
      buffer = buffer.slice(start);
      if (done) return; // an unterminated last event is dropped, as the spec says
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
    // Closes the connection when the consumer stops early; a no-op on a finished stream.
    await reader.cancel().catch(() => {});
  }
}
