// supervision.v1.ReportResponse, normalised, and turned into the rows of the console's tables
// (the same rows feed the charts and the CSV download).
import { arr, duration, enumOf, int64, num, obj, str, timestamp } from "./json";
import { FEEDBACK_OUTCOMES, SEVERITIES, type FeedbackOutcome, type Severity } from "./model";
import type { Cell } from "./csv";

export interface Count {
  key: string;
  count: number;
}
export interface UnitFigures {
  unitId: string;
  deliveries: number;
  acknowledged: number;
  withDeadline: number;
  acknowledgedWithinDeadline: number;
  slaShare: number;
  signoffP50Ms: number | null;
  signoffP90Ms: number | null;
  signoffP99Ms: number | null;
  escalated: number;
  feedback: number;
  feedbackRate: number;
  outcomes: { outcome: FeedbackOutcome; count: number }[];
  sentBack: number;
  approved: number;
}
export interface Report {
  since: number | null;
  until: number | null;
  utcOffset: string;
  collection: {
    events: number;
    byCounty: Count[];
    bySource: Count[];
    byKind: Count[];
    deadLettered: number;
    deadLetteredByTopic: Count[];
    rejected: number; // events collection rejected as invalid (from their audit records)
    rejectedByCounty: Count[];
    rejectedBySource: Count[];
  };
  judgment: {
    judgments: number;
    byRule: { ruleId: string; severity: Severity; judgments: number }[];
    confirmed: number;
    dismissed: number;
    unreviewed: number;
  };
  units: UnitFigures[];
  total: UnitFigures;
  rules: { ruleId: string; judgments: number; positive: number; negative: number; precision: number }[];
}

const counts = (v: unknown): Count[] => arr(v).map((c) => ({ key: str(obj(c).key), count: int64(obj(c).count) }));

function toUnitFigures(v: unknown): UnitFigures {
  const o = obj(v);
  return {
    unitId: str(o.unitId),
    deliveries: int64(o.deliveries),
    acknowledged: int64(o.acknowledged),
    withDeadline: int64(o.withDeadline),
    acknowledgedWithinDeadline: int64(o.acknowledgedWithinDeadline),
    slaShare: num(o.slaShare),
    signoffP50Ms: duration(o.signoffP50),
    signoffP90Ms: duration(o.signoffP90),
    signoffP99Ms: duration(o.signoffP99),
    escalated: int64(o.escalated),
    feedback: int64(o.feedback),
    feedbackRate: num(o.feedbackRate),
    outcomes: arr(o.outcomes).map((x) => ({
      outcome: enumOf(obj(x).outcome, FEEDBACK_OUTCOMES, "FEEDBACK_OUTCOME_UNSPECIFIED"),
      count: int64(obj(x).count),
    })),
    sentBack: int64(o.sentBack),
    approved: int64(o.approved),
  };
}

export function toReport(v: unknown): Report {
  const o = obj(v);
  const c = obj(o.collection);
  const j = obj(o.judgment);
  const d = obj(o.dispatch);
  return {
    since: timestamp(o.since),
    until: timestamp(o.until),
    utcOffset: str(o.utcOffset),
    collection: {
      events: int64(c.events),
      byCounty: counts(c.byCounty),
      bySource: counts(c.bySource),
      byKind: counts(c.byKind),
      deadLettered: int64(c.deadLettered),
      deadLetteredByTopic: counts(c.deadLetteredByTopic),
      rejected: int64(c.rejected),
      rejectedByCounty: counts(c.rejectedByCounty),
      rejectedBySource: counts(c.rejectedBySource),
    },
    judgment: {
      judgments: int64(j.judgments),
      byRule: arr(j.byRule).map((x) => ({
        ruleId: str(obj(x).ruleId),
        severity: enumOf(obj(x).severity, SEVERITIES, "SEVERITY_UNSPECIFIED"),
        judgments: int64(obj(x).judgments),
      })),
      confirmed: int64(j.confirmed),
      dismissed: int64(j.dismissed),
      unreviewed: int64(j.unreviewed),
    },
    units: arr(d.units).map(toUnitFigures),
    total: toUnitFigures(d.total),
    rules: arr(o.rules).map((x) => {
      const r = obj(x);
      return {
        ruleId: str(r.ruleId),
        judgments: int64(r.judgments),
        positive: int64(r.positive),
        negative: int64(r.negative),
        precision: num(r.precision),
      };
    }),
  };
}

/** One table: column keys (labels come from i18n: `report.col.<key>`) and rows of cells. */
export interface Table {
  id: "counties" | "units" | "rules" | "precision";
  columns: string[];
  rows: Cell[][];
}

const seconds = (ms: number | null): Cell => (ms === null ? null : Math.round(ms / 100) / 10);
const share = (x: number): Cell => Math.round(x * 1000) / 10; // percent, one decimal

/** Per county: events accepted and rejected, by volume; a county with rejections only too. */
function countiesWithRejected(r: Report): Cell[][] {
  const rows = new Map<string, [number, number]>();
  for (const c of r.collection.byCounty) rows.set(c.key, [c.count, 0]);
  for (const c of r.collection.rejectedByCounty) rows.set(c.key, [rows.get(c.key)?.[0] ?? 0, c.count]);
  return [...rows.entries()].sort((a, b) => b[1][0] - a[1][0] || b[1][1] - a[1][1]).map(([county, [events, rejected]]) => [county, events, rejected]);
}

export function reportTables(r: Report): Table[] {
  return [
    {
      id: "counties",
      columns: ["county", "events", "rejected"],
      rows: countiesWithRejected(r),
    },
    {
      id: "units",
      columns: ["unit", "deliveries", "acknowledged", "withDeadline", "withinDeadline", "slaPercent", "p50s", "p90s", "p99s", "escalated", "feedback", "sentBack", "approved"],
      rows: [...r.units, ...(r.units.length > 1 ? [{ ...r.total, unitId: "Σ" }] : [])].map((u) => [
        u.unitId,
        u.deliveries,
        u.acknowledged,
        u.withDeadline,
        u.acknowledgedWithinDeadline,
        share(u.slaShare),
        seconds(u.signoffP50Ms),
        seconds(u.signoffP90Ms),
        seconds(u.signoffP99Ms),
        u.escalated,
        u.feedback,
        u.sentBack,
        u.approved,
      ]),
    },
    {
      id: "rules",
      columns: ["rule", "severity", "judgments"],
      rows: r.judgment.byRule.map((x) => [x.ruleId, x.severity.replace("SEVERITY_", ""), x.judgments]),
    },
    {
      id: "precision",
      columns: ["rule", "judgments", "positive", "negative", "precisionPercent"],
      rows: r.rules.map((x) => [x.ruleId, x.judgments, x.positive, x.negative, share(x.precision)]),
    },
  ];
}
