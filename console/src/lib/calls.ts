// The RPCs the console makes, typed: request objects in protobuf JSON (lowerCamelCase, enums by
// name, 64-bit integers as strings), answers normalised (model.ts). Each returns a Result.
import type { ApiClient, ApiError } from "./api";
import { arr, bool, int64, obj, str, strs, timestamp, duration, enumOf } from "./json";
import {
  toApproval,
  toDelivery,
  toEvidence,
  toFeedback,
  toJudgmentRecord,
  toReview,
  toUnit,
  CLASSIFICATIONS,
  JUDGMENT_KINDS,
  SEVERITIES,
  type Approval,
  type Classification,
  type Delivery,
  type DeliveryStatus,
  type Evidence,
  type Feedback,
  type FeedbackOutcome,
  type JudgmentKind,
  type JudgmentRecord,
  type Review,
  type Severity,
  type Unit,
} from "./model";
import { toReport, type Report } from "./report";
import { ok, type Result } from "./result";

type R<T> = Promise<Result<T, ApiError>>;

async function map<T>(p: Promise<Result<unknown, ApiError>>, f: (v: unknown) => T): R<T> {
  const r = await p;
  return r.ok ? ok(f(r.value)) : r;
}

export interface JudgmentFilter {
  minSeverity: Severity;
  kinds: JudgmentKind[];
  jurisdictionPrefixes: string[];
  ruleIds: string[];
}

export const EMPTY_FILTER: JudgmentFilter = {
  minSeverity: "SEVERITY_UNSPECIFIED",
  kinds: [],
  jurisdictionPrefixes: [],
  ruleIds: [],
};

/** The filter as a JSON request field, defaults left out. */
export function filterJson(f: JudgmentFilter): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (f.minSeverity !== "SEVERITY_UNSPECIFIED") o.minSeverity = f.minSeverity;
  if (f.kinds.length > 0) o.kinds = f.kinds;
  if (f.jurisdictionPrefixes.length > 0) o.jurisdictionPrefixes = f.jurisdictionPrefixes;
  if (f.ruleIds.length > 0) o.ruleIds = f.ruleIds;
  return o;
}

/** The filter as stream query parameters (dots for nested fields, repeated by repetition). */
export function filterQuery(f: JudgmentFilter, q: URLSearchParams): URLSearchParams {
  if (f.minSeverity !== "SEVERITY_UNSPECIFIED") q.append("filter.minSeverity", f.minSeverity);
  for (const k of f.kinds) q.append("filter.kinds", k);
  for (const p of f.jurisdictionPrefixes) q.append("filter.jurisdictionPrefixes", p);
  for (const r of f.ruleIds) q.append("filter.ruleIds", r);
  return q;
}

export function judgmentStreamQuery(f: JudgmentFilter, afterSeq: number): URLSearchParams {
  const q = filterQuery(f, new URLSearchParams());
  q.append("afterSeq", String(afterSeq));
  return q;
}

export function dispatchStreamQuery(unitId: string, afterSeq: number): URLSearchParams {
  return new URLSearchParams({ unitId, afterSeq: String(afterSeq) });
}

export const getJudgment = (api: ApiClient, judgmentId: string): R<JudgmentRecord> =>
  map(api.call("judgment", "GetJudgment", { judgmentId }), (v) => toJudgmentRecord(obj(v).record));

export interface JudgmentPage {
  records: JudgmentRecord[];
  nextPageToken: string;
}

export const listJudgments = (
  api: ApiClient,
  req: { filter: JudgmentFilter; since?: string; until?: string; pageSize?: number; pageToken?: string },
): R<JudgmentPage> => {
  const body: Record<string, unknown> = { filter: filterJson(req.filter), pageSize: req.pageSize ?? 1000 };
  if (req.since) body.since = req.since;
  if (req.until) body.until = req.until;
  if (req.pageToken) body.pageToken = req.pageToken;
  return map(api.call("judgment", "ListJudgments", body), (v) => ({
    records: arr(obj(v).records).map(toJudgmentRecord),
    nextPageToken: str(obj(v).nextPageToken),
  }));
};

/** Every page, up to `maxPages` (the chart needs all; a bound keeps a huge range from hanging). */
export async function listAllJudgments(
  api: ApiClient,
  req: { filter: JudgmentFilter; since?: string; until?: string },
  maxPages = 20,
): R<{ records: JudgmentRecord[]; truncated: boolean }> {
  const records: JudgmentRecord[] = [];
  let pageToken = "";
  for (let i = 0; i < maxPages; i++) {
    const r = await listJudgments(api, { ...req, pageToken });
    if (!r.ok) return r;
    records.push(...r.value.records);
    pageToken = r.value.nextPageToken;
    if (pageToken === "") return ok({ records, truncated: false });
  }
  return ok({ records, truncated: true });
}

export const review = (
  api: ApiClient,
  req: { judgmentId: string; status: "REVIEW_STATUS_CONFIRMED" | "REVIEW_STATUS_DISMISSED"; note: string; reviewer: string },
): R<JudgmentRecord> => map(api.call("judgment", "Review", req), (v) => toJudgmentRecord(obj(v).record));

export interface AcknowledgeResult {
  alreadyAcknowledged: boolean;
  acknowledgedAt: number | null;
  acknowledgedBy: string;
}

export const acknowledge = (api: ApiClient, unitId: string, seq: number, by: string): R<AcknowledgeResult> =>
  map(api.call("dispatch", "Acknowledge", { unitId, seq: String(seq), acknowledgedBy: by }), (v) => {
    const o = obj(v);
    return { alreadyAcknowledged: bool(o.alreadyAcknowledged), acknowledgedAt: timestamp(o.acknowledgedAt), acknowledgedBy: str(o.acknowledgedBy) };
  });

export interface FeedbackResult {
  alreadyRecorded: boolean;
  feedback: Feedback | null;
}

export const feedback = (
  api: ApiClient,
  req: { unitId: string; seq: number; outcome: FeedbackOutcome; note: string; givenBy: string },
): R<FeedbackResult> =>
  map(api.call("dispatch", "Feedback", { ...req, seq: String(req.seq) }), (v) => ({
    alreadyRecorded: bool(obj(v).alreadyRecorded),
    feedback: toFeedback(obj(v).feedback),
  }));

export const approve = (api: ApiClient, unitId: string, seq: number, note: string): R<{ alreadyApproved: boolean; approval: Approval | null }> =>
  map(api.call("dispatch", "Approve", { unitId, seq: String(seq), note }), (v) => ({
    alreadyApproved: bool(obj(v).alreadyApproved),
    approval: toApproval(obj(v).approval),
  }));

export const sendBack = (
  api: ApiClient,
  unitId: string,
  seq: number,
  note: string,
): R<{ approval: Approval | null; sentBackCount: number; deadline: number | null; alreadySentBack: boolean }> =>
  map(api.call("dispatch", "SendBack", { unitId, seq: String(seq), note }), (v) => {
    const o = obj(v);
    return { approval: toApproval(o.approval), sentBackCount: int64(o.sentBackCount), deadline: timestamp(o.deadline), alreadySentBack: bool(o.alreadySentBack) };
  });

export interface DeliveryPage {
  deliveries: Delivery[];
  nextPageToken: string;
}

export const listDeliveries = (
  api: ApiClient,
  req: { unitId: string; statuses?: DeliveryStatus[]; includeSubordinates?: boolean; pageSize?: number; pageToken?: string },
): R<DeliveryPage> => {
  const body: Record<string, unknown> = { unitId: req.unitId, pageSize: req.pageSize ?? 1000 };
  if (req.statuses && req.statuses.length > 0) body.statuses = req.statuses;
  if (req.includeSubordinates) body.includeSubordinates = true;
  if (req.pageToken) body.pageToken = req.pageToken;
  return map(api.call("dispatch", "ListDeliveries", body), (v) => ({
    deliveries: arr(obj(v).deliveries).map(toDelivery),
    nextPageToken: str(obj(v).nextPageToken),
  }));
};

export async function listAllDeliveries(
  api: ApiClient,
  req: { unitId: string; statuses?: DeliveryStatus[]; includeSubordinates?: boolean },
  maxPages = 20,
): R<Delivery[]> {
  const out: Delivery[] = [];
  let pageToken = "";
  for (let i = 0; i < maxPages; i++) {
    const r = await listDeliveries(api, { ...req, pageToken });
    if (!r.ok) return r;
    out.push(...r.value.deliveries);
    pageToken = r.value.nextPageToken;
    if (pageToken === "") break;
  }
  return ok(out);
}

export const listUnits = (api: ApiClient): R<Unit[]> =>
  map(api.call("dispatch", "ListUnits", {}), (v) => arr(obj(v).units).map(toUnit));

// --- supervision.Trace ---

export interface Hop {
  kind: string; // HOP_KIND_…
  at: number | null;
  sincePreviousMs: number | null;
  what: string;
  by: string;
  detail: string;
}
export interface DeliveryTrace {
  deliveryId: string;
  unitId: string;
  seq: number;
  deliveredAt: number | null;
  deadline: number | null;
  escalationLevel: number;
  escalatedFrom: string;
  acknowledgedAt: number | null;
  acknowledgedBy: string;
  feedback: Feedback | null;
  escalatedAt: number | null;
  escalatedTo: string;
  overdue: boolean;
  sentBackCount: number;
  approvedAt: number | null;
  approvedBy: string;
}
export interface JudgmentTrace {
  judgmentId: string;
  ruleId: string;
  ruleVersion: number;
  kind: JudgmentKind;
  severity: Severity;
  jurisdictionCode: string;
  createdAt: number | null;
  classification: Classification;
  evidence: Evidence[];
  state: string; // JUDGMENT_STATE_…
  overdue: boolean;
  deliveries: DeliveryTrace[];
  review: Review | null;
  hops: Hop[];
  missing: string[];
  needsApproval: boolean;
}
export interface CollectedEvent {
  sourceId: string;
  eventId: string;
  traceId: string;
  countyCode: string;
  kind: string;
  jurisdictionCode: string;
  occurredAt: number | null;
  ingestedAt: number | null;
  judged: boolean;
}
/** An access record from the audit topic: who saw or changed an item (supervisors only). */
export interface Access {
  auditId: string;
  at: number | null;
  service: string;
  method: string;
  subject: string;
  itemKind: string;
  itemId: string;
  decision: string; // AUDIT_DECISION_…
  reason: string;
}
export interface Trace {
  events: CollectedEvent[];
  judgments: JudgmentTrace[];
  missing: string[];
  accesses: Access[];
  accessesNotShown: number;
}

export type TraceItem =
  | { by: "event"; sourceId: string; eventId: string }
  | { by: "traceId"; traceId: string }
  | { by: "judgmentId"; judgmentId: string };

/** The item a trace page's query names (?sourceId=&eventId=, ?traceId=, ?judgmentId=); null: none complete. */
export function traceItemOf(q: URLSearchParams): TraceItem | null {
  const source = q.get("sourceId")?.trim() ?? "";
  const event = q.get("eventId")?.trim() ?? "";
  if (source !== "" && event !== "") return { by: "event", sourceId: source, eventId: event };
  const traceId = q.get("traceId")?.trim() ?? "";
  if (traceId !== "") return { by: "traceId", traceId };
  const judgmentId = q.get("judgmentId")?.trim() ?? "";
  if (judgmentId !== "") return { by: "judgmentId", judgmentId };
  return null;
}

export function traceRequest(item: TraceItem): Record<string, unknown> {
  switch (item.by) {
    case "event":
      return { event: { sourceId: item.sourceId, eventId: item.eventId } };
    case "traceId":
      return { traceId: item.traceId };
    case "judgmentId":
      return { judgmentId: item.judgmentId };
  }
}

function toDeliveryTrace(v: unknown): DeliveryTrace {
  const o = obj(v);
  return {
    deliveryId: str(o.deliveryId),
    unitId: str(o.unitId),
    seq: int64(o.seq),
    deliveredAt: timestamp(o.deliveredAt),
    deadline: timestamp(o.deadline),
    escalationLevel: int64(o.escalationLevel),
    escalatedFrom: str(o.escalatedFrom),
    acknowledgedAt: timestamp(o.acknowledgedAt),
    acknowledgedBy: str(o.acknowledgedBy),
    feedback: toFeedback(o.feedback),
    escalatedAt: timestamp(o.escalatedAt),
    escalatedTo: str(o.escalatedTo),
    overdue: bool(o.overdue),
    sentBackCount: int64(o.sentBackCount),
    approvedAt: timestamp(o.approvedAt),
    approvedBy: str(o.approvedBy),
  };
}

export function toTrace(v: unknown): Trace {
  const o = obj(v);
  return {
    events: arr(o.events).map((x) => {
      const e = obj(x);
      return {
        sourceId: str(e.sourceId),
        eventId: str(e.eventId),
        traceId: str(e.traceId),
        countyCode: str(e.countyCode),
        kind: str(e.kind),
        jurisdictionCode: str(e.jurisdictionCode),
        occurredAt: timestamp(e.occurredAt),
        ingestedAt: timestamp(e.ingestedAt),
        judged: bool(e.judged),
      };
    }),
    judgments: arr(o.judgments).map((x) => {
      const j = obj(x);
      return {
        judgmentId: str(j.judgmentId),
        ruleId: str(j.ruleId),
        ruleVersion: int64(j.ruleVersion),
        kind: enumOf(j.kind, JUDGMENT_KINDS, "JUDGMENT_KIND_UNSPECIFIED"),
        severity: enumOf(j.severity, SEVERITIES, "SEVERITY_UNSPECIFIED"),
        jurisdictionCode: str(j.jurisdictionCode),
        createdAt: timestamp(j.createdAt),
        classification: enumOf(j.classification, CLASSIFICATIONS, "CLASSIFICATION_UNSPECIFIED"),
        evidence: arr(j.evidence).map(toEvidence),
        state: str(j.state) || "JUDGMENT_STATE_UNSPECIFIED",
        overdue: bool(j.overdue),
        deliveries: arr(j.deliveries).map(toDeliveryTrace),
        review: toReview(j.review),
        hops: arr(j.hops).map((h) => {
          const ho = obj(h);
          return {
            kind: str(ho.kind) || "HOP_KIND_UNSPECIFIED",
            at: timestamp(ho.at),
            sincePreviousMs: duration(ho.sincePrevious),
            what: str(ho.what),
            by: str(ho.by),
            detail: str(ho.detail),
          };
        }),
        missing: strs(j.missing),
        needsApproval: bool(j.needsApproval),
      };
    }),
    missing: strs(o.missing),
    accesses: arr(o.accesses).map((x) => {
      const a = obj(x);
      return {
        auditId: str(a.auditId),
        at: timestamp(a.at),
        service: str(a.service),
        method: str(a.method),
        subject: str(a.subject),
        itemKind: str(a.itemKind),
        itemId: str(a.itemId),
        decision: str(a.decision) || "AUDIT_DECISION_UNSPECIFIED",
        reason: str(a.reason),
      };
    }),
    accessesNotShown: int64(o.accessesNotShown),
  };
}

export const trace = (api: ApiClient, item: TraceItem): R<Trace> => map(api.call("supervision", "Trace", traceRequest(item)), toTrace);

export interface ReportQuery {
  period?: string; // "2026-11", "2026-W45", "2026-11-03"
  since?: string; // RFC 3339
  until?: string;
  jurisdictionPrefix?: string;
  unitId?: string;
  includeSubordinates?: boolean;
}

export function reportRequest(q: ReportQuery): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (q.period) o.period = q.period;
  else {
    if (q.since) o.since = q.since;
    if (q.until) o.until = q.until;
  }
  if (q.jurisdictionPrefix) o.jurisdictionPrefix = q.jurisdictionPrefix;
  else if (q.unitId) {
    o.unitId = q.unitId;
    if (q.includeSubordinates) o.includeSubordinates = true;
  }
  return o;
}

export const report = (api: ApiClient, q: ReportQuery): R<Report> => map(api.call("supervision", "Report", reportRequest(q)), toReport);

/** A report query in the console's URL (shareable): the same field names as the request. */
export function reportQueryToUrl(q: ReportQuery): URLSearchParams {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(reportRequest(q))) u.set(k, String(v));
  return u;
}

export function reportQueryFromUrl(u: URLSearchParams): ReportQuery | null {
  const q: ReportQuery = {};
  const period = u.get("period");
  const since = u.get("since");
  const until = u.get("until");
  if (period) q.period = period;
  else if (since && until) {
    q.since = since;
    q.until = until;
  } else return null;
  const prefix = u.get("jurisdictionPrefix");
  const unit = u.get("unitId");
  if (prefix) q.jurisdictionPrefix = prefix;
  else if (unit) {
    q.unitId = unit;
    q.includeSubordinates = u.get("includeSubordinates") === "true";
  }
  return q;
}
