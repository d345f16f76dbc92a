export { AuraClient, SDK_VERSION, parseLinkHeader, parseRetryAfter } from "./client.js";
export type { AuraClientOptions, RequestOptions, StreamOptions, WaitOptions } from "./client.js";
export { AuraError } from "./errors.js";
export { parseSse } from "./sse.js";
export type { SseMessage } from "./sse.js";
export { verifyWebhook, parseWebhook, WebhookVerificationError } from "./webhooks.js";
export type { HeadersLike, VerifyWebhookOptions, WebhookFailure } from "./webhooks.js";
export type * from "./types.js";
