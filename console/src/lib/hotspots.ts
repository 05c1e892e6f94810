// The analyst's hotspots: judgments counted per county and kind over time buckets (for a
// stacked chart), and events with coordinates as lat/lon points (a plain scatter, no map): the
// judged events' evidence, or the events of a JSON-lines file.
import { toBusEvent, type JudgmentRecord } from "./model";

export type BucketSize = "hour" | "day";

export interface HotspotSeries {
  county: string;
  kind: string;
  data: number[]; // one count per bucket
}
export interface HotspotChart {
  buckets: string[]; // "2026-11-03" or "2026-11-03 14:00" (UTC)
  series: HotspotSeries[]; // sorted by total, largest first
}

/** The bucket of an instant, in UTC. */
export function bucketOf(ms: number, size: BucketSize): string {
  const iso = new Date(ms).toISOString();
  return size === "day" ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 13)}:00`;
}

/** The county of a jurisdiction code: its first six digits (GB/T 2260). */
export function countyOf(jurisdiction: string): string {
  return jurisdiction.length >= 6 ? jurisdiction.slice(0, 6) : jurisdiction || "?";
}

/**
 * Counts each judgment once (the log also holds its reviews, under the same id): by the
 * county of its jurisdiction, its kind, and the bucket of its created_at. Every bucket from the
 * first to the last is present, so gaps show as zeros.
 */
export function hotspotChart(records: readonly JudgmentRecord[], size: BucketSize): HotspotChart {
  const seen = new Set<string>();
  const cells = new Map<string, Map<string, number>>(); // "county|kind" → bucket → count
  let first = Infinity;
  let last = -Infinity;
  for (const { judgment: j } of records) {
    if (j.createdAt === null || seen.has(j.judgmentId)) continue;
    seen.add(j.judgmentId);
    const key = `${countyOf(j.jurisdictionCode)}|${j.kind.replace("JUDGMENT_KIND_", "")}`;
    const b = bucketOf(j.createdAt, size);
    const m = cells.get(key) ?? new Map<string, number>();
    m.set(b, (m.get(b) ?? 0) + 1);
    cells.set(key, m);
    first = Math.min(first, j.createdAt);
    last = Math.max(last, j.createdAt);
  }
  const buckets: string[] = [];
  if (first !== Infinity) {
    const step = size === "day" ? 86_400_000 : 3_600_000;
    const start = Math.floor(first / step) * step;
    for (let t = start; t <= last && buckets.length < 2000; t += step) buckets.push(bucketOf(t, size));
  }
  const series = [...cells.entries()].map(([key, m]) => {
    const [county = "", kind = ""] = key.split("|");
    return { county, kind, data: buckets.map((b) => m.get(b) ?? 0) };
  });
  const total = (s: HotspotSeries) => s.data.reduce((a, b) => a + b, 0);
  series.sort((a, b) => total(b) - total(a) || a.county.localeCompare(b.county) || a.kind.localeCompare(b.kind));
  return { buckets, series };
}

/** A point of the scatter: where an event happened, its kind (the series) and a label. */
export interface EventPoint {
  lat: number;
  lon: number;
  kind: string;
  label: string;
}

const onEarth = (lat: number, lon: number) => Math.abs(lat) <= 90 && Math.abs(lon) <= 180;

/**
 * The judged events with coordinates: the evidence of `records` (Evidence.has_coordinates,
 * lat, lon), each event once however many judgments name it.
 */
export function evidencePoints(records: readonly JudgmentRecord[]): EventPoint[] {
  const seen = new Set<string>();
  const points: EventPoint[] = [];
  for (const { judgment } of records) {
    for (const e of judgment.evidence) {
      const key = `${e.sourceId}/${e.eventId}`;
      if (!e.hasCoordinates || !onEarth(e.lat, e.lon) || seen.has(key)) continue;
      seen.add(key);
      points.push({ lat: e.lat, lon: e.lon, kind: e.kind, label: key });
    }
  }
  return points;
}

/**
 * The events of a JSON-lines text (the format `infobusctl publish` reads, e.g.
 * deploy/samples/events.jsonl) that carry coordinates (Event.location.has_coordinates, lat,
 * lon). Lines that do not parse are counted, not fatal.
 */
export function eventPoints(jsonl: string): { points: EventPoint[]; skipped: number } {
  const points: EventPoint[] = [];
  let skipped = 0;
  for (const line of jsonl.split(/\r?\n/)) {
    if (line.trim() === "") continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      skipped += 1;
      continue;
    }
    const e = toBusEvent(parsed);
    const { hasCoordinates, lat, lon } = e.location;
    if (hasCoordinates && onEarth(lat, lon)) {
      points.push({ lat, lon, kind: e.kind, label: `${e.sourceId}/${e.eventId} ${e.location.place}`.trim() });
    }
  }
  return { points, skipped };
}
