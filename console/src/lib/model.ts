// The messages the console reads, with every field present: normalised from the gateway's JSON
// (where defaults are omitted) by the functions below. Timestamps are epoch ms or null (unset).
import { arr, bool, duration, enumOf, int64, num, obj, str, strMap, strs, timestamp } from "./json";

export const SEVERITIES = [
  "SEVERITY_UNSPECIFIED",
  "SEVERITY_LOW",
  "SEVERITY_MEDIUM",
  "SEVERITY_HIGH",
  "SEVERITY_CRITICAL",
] as const;
export type Severity = (typeof SEVERITIES)[number];

export const JUDGMENT_KINDS = [
  "JUDGMENT_KIND_UNSPECIFIED",
  "JUDGMENT_KIND_WATCHLIST_HIT",
  "JUDGMENT_KIND_HOTSPOT",
  "JUDGMENT_KIND_MOVEMENT",
  "JUDGMENT_KIND_CORRELATION",
  "JUDGMENT_KIND_DIRECT",
] as const;
export type JudgmentKind = (typeof JUDGMENT_KINDS)[number];

export const CLASSIFICATIONS = [
  "CLASSIFICATION_UNSPECIFIED",
  "CLASSIFICATION_PUBLIC",
  "CLASSIFICATION_INTERNAL",
  "CLASSIFICATION_CONFIDENTIAL",
  "CLASSIFICATION_SECRET",
] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

export const REVIEW_STATUSES = [
  "REVIEW_STATUS_UNSPECIFIED",
  "REVIEW_STATUS_CONFIRMED",
  "REVIEW_STATUS_DISMISSED",
] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

export const DELIVERY_STATUSES = [
  "DELIVERY_STATUS_UNSPECIFIED",
  "DELIVERY_STATUS_PENDING",
  "DELIVERY_STATUS_ACKNOWLEDGED",
  "DELIVERY_STATUS_FEEDBACK",
  "DELIVERY_STATUS_ESCALATED",
  "DELIVERY_STATUS_APPROVED",
] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const FEEDBACK_OUTCOMES = [
  "FEEDBACK_OUTCOME_UNSPECIFIED",
  "FEEDBACK_OUTCOME_HANDLED",
  "FEEDBACK_OUTCOME_APPREHENDED",
  "FEEDBACK_OUTCOME_NOT_FOUND",
  "FEEDBACK_OUTCOME_FALSE_POSITIVE",
  "FEEDBACK_OUTCOME_TRANSFERRED",
] as const;
export type FeedbackOutcome = (typeof FEEDBACK_OUTCOMES)[number];

export const REROUTE_REASONS = [
  "REROUTE_REASON_UNSPECIFIED",
  "REROUTE_REASON_OFF_DUTY",
  "REROUTE_REASON_CLEARANCE",
  "REROUTE_REASON_COMPARTMENT",
] as const;
export type RerouteReason = (typeof REROUTE_REASONS)[number];

export const APPROVAL_STATUSES = [
  "APPROVAL_STATUS_UNSPECIFIED",
  "APPROVAL_STATUS_APPROVED",
  "APPROVAL_STATUS_SENT_BACK",
] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

export interface Subject {
  type: string;
  value: string;
}
export interface Evidence {
  eventId: string;
  sourceId: string;
  traceId: string;
  kind: string;
  countyCode: string;
  occurredAt: number | null;
  classification: Classification;
  jurisdictionCode: string;
  ingestedAt: number | null;
  compartments: string[];
  hasCoordinates: boolean;
  lat: number;
  lon: number;
}
export interface Review {
  status: ReviewStatus;
  note: string;
  reviewer: string;
  reviewedAt: number | null;
}
export interface Judgment {
  judgmentId: string;
  ruleId: string;
  ruleVersion: number;
  kind: JudgmentKind;
  severity: Severity;
  title: string;
  summary: string;
  subjects: Subject[];
  jurisdictionCode: string;
  evidence: Evidence[];
  createdAt: number | null;
  classification: Classification;
  windowStart: number | null;
  windowEnd: number | null;
  groupKey: string;
  evidenceCount: number;
  review: Review | null;
  compartments: string[];
  responseDeadlineMs: number | null;
  needsApproval: boolean;
}
export interface JudgmentRecord {
  seq: number;
  judgment: Judgment;
}
export interface Feedback {
  outcome: FeedbackOutcome;
  note: string;
  givenBy: string;
  givenAt: number | null;
}
export interface Approval {
  status: ApprovalStatus;
  decidedBy: string;
  decidedAt: number | null;
  note: string;
  feedback: Feedback | null;
}
export interface Delivery {
  deliveryId: string;
  unitId: string;
  seq: number;
  judgment: Judgment;
  status: DeliveryStatus;
  deliveredAt: number | null;
  acknowledgedAt: number | null;
  acknowledgedBy: string;
  deadline: number | null;
  escalatedFrom: string;
  escalationLevel: number;
  escalatedAt: number | null;
  escalatedTo: string;
  feedback: Feedback | null;
  reroutedFromUnit: string;
  rerouteReason: RerouteReason;
  approval: Approval | null;
  sentBackCount: number;
}
export interface Unit {
  unitId: string;
  name: string;
  jurisdictionCodes: string[];
  supervisorUnitId: string;
  dutyHours: string;
  clearance: Classification;
  compartments: string[];
}
export interface EventLocation {
  jurisdictionCode: string;
  hasCoordinates: boolean;
  lat: number;
  lon: number;
  place: string;
}
/** common.v1.Event: only its JSON form (e.g. a line of events.jsonl) reaches the console. */
export interface BusEvent {
  eventId: string;
  sourceId: string;
  countyCode: string;
  kind: string;
  occurredAt: number | null;
  location: EventLocation;
  attributes: Record<string, string>;
  traceId: string;
}

/** Where both names may appear (requests may use proto names), read the JSON name first. */
function f(o: Record<string, unknown>, json: string, proto?: string): unknown {
  return o[json] !== undefined ? o[json] : proto !== undefined ? o[proto] : undefined;
}

export function toSubject(v: unknown): Subject {
  const o = obj(v);
  return { type: str(o.type) || "SUBJECT_TYPE_UNSPECIFIED", value: str(o.value) };
}

export function toEvidence(v: unknown): Evidence {
  const o = obj(v);
  return {
    eventId: str(o.eventId),
    sourceId: str(o.sourceId),
    traceId: str(o.traceId),
    kind: str(o.kind),
    countyCode: str(o.countyCode),
    occurredAt: timestamp(o.occurredAt),
    classification: enumOf(o.classification, CLASSIFICATIONS, "CLASSIFICATION_UNSPECIFIED"),
    jurisdictionCode: str(o.jurisdictionCode),
    ingestedAt: timestamp(o.ingestedAt),
    compartments: strs(o.compartments),
    hasCoordinates: bool(o.hasCoordinates),
    lat: num(o.lat),
    lon: num(o.lon),
  };
}

export function toReview(v: unknown): Review | null {
  if (v === undefined || v === null) return null;
  const o = obj(v);
  return {
    status: enumOf(o.status, REVIEW_STATUSES, "REVIEW_STATUS_UNSPECIFIED"),
    note: str(o.note),
    reviewer: str(o.reviewer),
    reviewedAt: timestamp(o.reviewedAt),
  };
}

export function toJudgment(v: unknown): Judgment {
  const o = obj(v);
  return {
    judgmentId: str(o.judgmentId),
    ruleId: str(o.ruleId),
    ruleVersion: num(o.ruleVersion),
    kind: enumOf(o.kind, JUDGMENT_KINDS, "JUDGMENT_KIND_UNSPECIFIED"),
    severity: enumOf(o.severity, SEVERITIES, "SEVERITY_UNSPECIFIED"),
    title: str(o.title),
    summary: str(o.summary),
    subjects: arr(o.subjects).map(toSubject),
    jurisdictionCode: str(o.jurisdictionCode),
    evidence: arr(o.evidence).map(toEvidence),
    createdAt: timestamp(o.createdAt),
    classification: enumOf(o.classification, CLASSIFICATIONS, "CLASSIFICATION_UNSPECIFIED"),
    windowStart: timestamp(o.windowStart),
    windowEnd: timestamp(o.windowEnd),
    groupKey: str(o.groupKey),
    evidenceCount: int64(o.evidenceCount),
    review: toReview(o.review),
    compartments: strs(o.compartments),
    responseDeadlineMs: duration(o.responseDeadline),
    needsApproval: bool(o.needsApproval),
  };
}

export function toJudgmentRecord(v: unknown): JudgmentRecord {
  const o = obj(v);
  return { seq: int64(o.seq), judgment: toJudgment(o.judgment) };
}

export function toFeedback(v: unknown): Feedback | null {
  if (v === undefined || v === null) return null;
  const o = obj(v);
  return {
    outcome: enumOf(o.outcome, FEEDBACK_OUTCOMES, "FEEDBACK_OUTCOME_UNSPECIFIED"),
    note: str(o.note),
    givenBy: str(o.givenBy),
    givenAt: timestamp(o.givenAt),
  };
}

export function toApproval(v: unknown): Approval | null {
  if (v === undefined || v === null) return null;
  const o = obj(v);
  return {
    status: enumOf(o.status, APPROVAL_STATUSES, "APPROVAL_STATUS_UNSPECIFIED"),
    decidedBy: str(o.decidedBy),
    decidedAt: timestamp(o.decidedAt),
    note: str(o.note),
    feedback: toFeedback(o.feedback),
  };
}

export function toDelivery(v: unknown): Delivery {
  const o = obj(v);
  const unitId = str(o.unitId);
  const seq = int64(o.seq);
  return {
    deliveryId: str(o.deliveryId) || `${unitId}/${seq}`,
    unitId,
    seq,
    judgment: toJudgment(o.judgment),
    status: enumOf(o.status, DELIVERY_STATUSES, "DELIVERY_STATUS_UNSPECIFIED"),
    deliveredAt: timestamp(o.deliveredAt),
    acknowledgedAt: timestamp(o.acknowledgedAt),
    acknowledgedBy: str(o.acknowledgedBy),
    deadline: timestamp(o.deadline),
    escalatedFrom: str(o.escalatedFrom),
    escalationLevel: num(o.escalationLevel),
    escalatedAt: timestamp(o.escalatedAt),
    escalatedTo: str(o.escalatedTo),
    feedback: toFeedback(o.feedback),
    reroutedFromUnit: str(o.reroutedFromUnit),
    rerouteReason: enumOf(o.rerouteReason, REROUTE_REASONS, "REROUTE_REASON_UNSPECIFIED"),
    approval: toApproval(o.approval),
    sentBackCount: num(o.sentBackCount),
  };
}

export function toUnit(v: unknown): Unit {
  const o = obj(v);
  return {
    unitId: str(o.unitId),
    name: str(o.name),
    jurisdictionCodes: strs(o.jurisdictionCodes),
    supervisorUnitId: str(o.supervisorUnitId),
    dutyHours: str(o.dutyHours),
    clearance: enumOf(o.clearance, CLASSIFICATIONS, "CLASSIFICATION_UNSPECIFIED"),
    compartments: strs(o.compartments),
  };
}

/** An Event in protobuf JSON, json or proto field names (infobusctl publish accepts both). */
export function toBusEvent(v: unknown): BusEvent {
  const o = obj(v);
  const loc = obj(f(o, "location"));
  return {
    eventId: str(f(o, "eventId", "event_id")),
    sourceId: str(f(o, "sourceId", "source_id")),
    countyCode: str(f(o, "countyCode", "county_code")),
    kind: str(o.kind),
    occurredAt: timestamp(f(o, "occurredAt", "occurred_at")),
    location: {
      jurisdictionCode: str(f(loc, "jurisdictionCode", "jurisdiction_code")),
      hasCoordinates: bool(f(loc, "hasCoordinates", "has_coordinates")),
      lat: num(loc.lat),
      lon: num(loc.lon),
      place: str(loc.place),
    },
    attributes: strMap(o.attributes),
    traceId: str(f(o, "traceId", "trace_id")),
  };
}

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}
