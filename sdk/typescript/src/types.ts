// Public types. The wire shapes come from the server's OpenAPI description
// (./generated/openapi.ts); where the spec says only "string" or leaves a field untyped, the
// contract's enumerations and the result shape are spelled out here.
import type { components, operations, paths } from "./generated/openapi.js";

export type { components, operations, paths };

type Schemas = components["schemas"];

export type ScanStatus = "queued" | "running" | "completed" | "failed";
export type ScanKind = "repo" | "x_profile" | "compare";
export type Grade = "A" | "B" | "C" | "D" | "F";
export type Verdict = "SAFU" | "DYOR" | "RISKY" | "SCAM";
export type Severity = "critical" | "high" | "medium" | "low" | "info";
export type Tier = "free" | "pro" | "partner" | "internal";
export type Scope = "scans:read" | "scans:write" | "keys" | "webhooks" | "usage" | "embed";
export type WebhookEventName = "scan_completed" | "scan_failed";

export interface Flag {
  id: string;
  severity: Severity;
  title: string;
  detail: string;
}

export interface Check {
  id: string;
  name: string;
  status: "pass" | "warn" | "fail" | "info";
  points: number;
  detail: string;
}

/** A completed scan's outcome. */
export interface ScanResult {
  /** 0–100, the sum of the checks' points. */
  score: number;
  grade: Grade;
  verdict: Verdict;
  summary: string;
  /** `#Established`, `#HasCI`, … */
  tags: string[];
  red_flags: Flag[];
  green_flags: Flag[];
  checks: Check[];
  [extra: string]: unknown;
}

/** `GET /v1/scan/{id}`: the scan object. */
export type ScanObject = Omit<Schemas["ScanObject"], "kind" | "status" | "result"> & {
  kind: ScanKind;
  status: ScanStatus;
  result?: ScanResult | null;
};

/** `202` answer of the scan endpoints. */
export type ScanAccepted = Omit<Schemas["Accepted"], "status"> & { status: "queued"; cached?: undefined };

/** What starting a scan returns: a queued scan, or (repositories) a cached completed one. */
export type ScanSubmission = ScanAccepted | (ScanObject & { cached: true });

export type RepoScanRequest = Schemas["RepoScanRequest"];
export type XProfileScanRequest = Schemas["XProfileScanRequest"];
export type CompareScanRequest = Schemas["CompareScanRequest"];
export type LookupResult = { target: string; scan: ScanObject | null };
export type LookupResponse = { results: LookupResult[] };

/** Events of `GET /v1/scan/{id}/stream`, in order. `id` is the SSE event id. */
export type ScanEvent =
  | { type: "scan_started"; id?: string; data: { scanId: string; repo: string } }
  | { type: "progress"; id?: string; data: { percent: number; message: string } }
  | { type: "scan_completed"; id?: string; data: { scanId: string; score: number; grade: Grade; verdict: Verdict; reportUrl: string } }
  | { type: "scan_failed"; id?: string; data: { scanId: string; error: string } };

// Accounts and keys
export type RegisterRequest = Schemas["RegisterRequest"];
export type RegisterResponse = Schemas["RegisterResponse"];
/** The contract's key options; `scopes` and `allowed_origins` are not in the OpenAPI description yet. */
export type CreateKeyRequest = Schemas["CreateKeyRequest"] & { scopes?: Scope[] | null; allowed_origins?: string[] | null };
export type NewKeyResponse = Schemas["NewKeyResponse"] & { scopes?: Scope[]; allowed_origins?: string[] };
/** An entry of `GET /v1/auth/keys` (never the full key). */
export type KeyInfo = Schemas["KeyInfo"];
export type KeySummary = Schemas["KeySummary"];
export type RotateKeyRequest = Schemas["RotateRequest"];
export type UsageResponse = Schemas["UsageResponse"];

// Webhooks
export type CreateWebhookRequest = Omit<Schemas["CreateWebhook"], "events"> & { events?: WebhookEventName[] | null };
export type Webhook = Schemas["WebhookBody"];
export type Delivery = Schemas["DeliveryBody"];
export type DeliveryDetail = Schemas["DeliveryDetail"];
export type EnableWebhookRequest = Schemas["EnableWebhook"];
export type EnableWebhookResult = Schemas["EnableResult"];
export type ReplayRequest = Schemas["ReplayRequest"];
export type ReplayResult = Schemas["ReplayResult"];
export type RotateSecretRequest = Schemas["RotateSecret"];
export type WebhookSecret = Schemas["SecretBody"];

// Embeds
export type EmbedSettings = Schemas["EmbedSettingsBody"];
export type UpdateEmbedSettingsRequest = Schemas["UpdateEmbedSettings"];

// Administration
export type CreatePartnerRequest = Schemas["CreatePartnerRequest"] & { partner_slug?: string };
export type CreatePartnerResponse = Schemas["CreatePartnerResponse"];
export type Partner = Schemas["Partner"];
export type UpdatePartnerRequest = Schemas["UpdatePartnerRequest"];
export type AuditEntry = Schemas["AuditEntry"];
export type Job = Schemas["JobBody"];

// Service
export type Info = Schemas["Info"];
export type Health = Schemas["Health"];

/** Paging of every list: `limit` (1–200, default 50) and an opaque `cursor`. */
export interface PageQuery {
  limit?: number;
  cursor?: string;
}

type Obj<T> = [T] extends [never] ? {} : T;
type QueryOf<Op extends keyof operations> = Obj<NonNullable<operations[Op]["parameters"]["query"]>>;
// The spec documents the admin lists' filters as path parameters (they are query parameters):
// take them from wherever it puts them, all optional.
type PathOf<Op extends keyof operations> = Obj<NonNullable<operations[Op]["parameters"]["path"]>>;
type FiltersOf<Op extends keyof operations> = { [K in keyof PathOf<Op>]?: PathOf<Op>[K] } & Partial<QueryOf<Op>>;

export type DeliveryQuery = QueryOf<"list_deliveries"> & PageQuery;
export type PartnerQuery = FiltersOf<"list_partners"> & PageQuery;
export type AuditQuery = FiltersOf<"audit_log"> & PageQuery;
export type JobQuery = FiltersOf<"list_jobs"> & PageQuery;

/** The JSON body of a webhook delivery (`scan_completed`, `scan_failed` or `test`). */
export interface WebhookPayload {
  event: WebhookEventName | "test";
  scan_id: string;
  target?: string;
  score: number | null;
  grade: Grade | null;
  verdict: Verdict | null;
  report_url: string;
  tags: string[];
  red_flags: Flag[];
  green_flags: Flag[];
  /** Only for `scan_failed`. */
  error?: string;
  [extra: string]: unknown;
}
