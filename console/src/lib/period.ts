// The report's period as supervision.ReportRequest takes it: a month "2026-11", an ISO week
// "2026-W45", a day "2026-11-03" (each read by the server in the routing file's local time),
// or a [since, until) range as RFC 3339 instants. The HTML inputs month/week/date give exactly
// these strings; datetime-local gives the browser's local time, converted here.
import { err, ok, type Result } from "./result";

export type PeriodKind = "month" | "week" | "day" | "range";

export type Period = { period: string } | { since: string; until: string };

const PATTERNS: Record<Exclude<PeriodKind, "range">, RegExp> = {
  month: /^\d{4}-(0[1-9]|1[0-2])$/,
  week: /^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$/,
  day: /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/,
};

/** `local`: a datetime-local value read in the browser's time zone, as an RFC 3339 instant. */
export function localToRfc3339(local: string): string | null {
  const ms = Date.parse(local);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

export function periodOf(kind: PeriodKind, value: string, since = "", until = ""): Result<Period, string> {
  if (kind !== "range") {
    const v = value.trim().toUpperCase().replace(/^(\d{4})-w/i, "$1-W");
    return PATTERNS[kind].test(v) ? ok({ period: kind === "week" ? v : v.toLowerCase() }) : err(`not a ${kind}: ${value}`);
  }
  const s = localToRfc3339(since);
  const u = localToRfc3339(until);
  if (s === null || u === null) return err("a range needs a start and an end");
  if (Date.parse(u) <= Date.parse(s)) return err("the end must be after the start");
  return ok({ since: s, until: u });
}

/** The current month, as the default period ("2026-11"). */
export function thisMonth(nowMs: number): string {
  return new Date(nowMs).toISOString().slice(0, 7);
}
