// ECharts options built from the console's figures (pure: data in, option object out; the
// Chart component draws them). Labels come in already translated.
import type { HotspotChart, EventPoint } from "./hotspots";
import type { Report } from "./report";

type Option = Record<string, unknown>;

const base = (title: string): Option => ({
  title: { text: title, left: 0, textStyle: { fontSize: 14 } },
  tooltip: { trigger: "axis" },
  grid: { left: 56, right: 16, top: 48, bottom: 56, containLabel: true },
});

export function barOption(title: string, categories: string[], series: { name: string; data: (number | null)[] }[], max?: number): Option {
  return {
    ...base(title),
    legend: series.length > 1 ? { top: 22 } : undefined,
    xAxis: { type: "category", data: categories, axisLabel: { rotate: categories.length > 8 ? 30 : 0 } },
    yAxis: { type: "value", ...(max !== undefined ? { max } : {}) },
    series: series.map((s) => ({ type: "bar", name: s.name, data: s.data })),
  };
}

export function countiesOption(r: Report, title: string, eventsLabel: string): Option {
  const rows = [...r.collection.byCounty].sort((a, b) => b.count - a.count);
  return barOption(title, rows.map((c) => c.key), [{ name: eventsLabel, data: rows.map((c) => c.count) }]);
}

export function latencyOption(r: Report, title: string): Option {
  const s = (ms: number | null) => (ms === null ? null : Math.round(ms / 100) / 10);
  return barOption(title, r.units.map((u) => u.unitId), [
    { name: "p50", data: r.units.map((u) => s(u.signoffP50Ms)) },
    { name: "p90", data: r.units.map((u) => s(u.signoffP90Ms)) },
    { name: "p99", data: r.units.map((u) => s(u.signoffP99Ms)) },
  ]);
}

export function slaOption(r: Report, title: string): Option {
  return barOption(title, r.units.map((u) => u.unitId), [{ name: "SLA %", data: r.units.map((u) => Math.round(u.slaShare * 1000) / 10) }], 100);
}

export function precisionOption(r: Report, title: string): Option {
  return barOption(title, r.rules.map((x) => x.ruleId), [{ name: "%", data: r.rules.map((x) => Math.round(x.precision * 1000) / 10) }], 100);
}

/** Judgments per county and kind over time: stacked bars, one series per (county, kind). */
export function hotspotOption(c: HotspotChart, title: string): Option {
  return {
    ...base(title),
    legend: { type: "scroll", top: 22 },
    xAxis: { type: "category", data: c.buckets },
    yAxis: { type: "value", minInterval: 1 },
    dataZoom: c.buckets.length > 30 ? [{ type: "slider", bottom: 8 }] : undefined,
    series: c.series.map((s) => ({ type: "bar", stack: "all", name: `${s.county} · ${s.kind}`, data: s.data })),
  };
}

/** Events on plain lon (x) / lat (y) value axes: no map tiles (the machines have no internet). */
export function scatterOption(points: EventPoint[], title: string): Option {
  const byKind = new Map<string, [number, number, string][]>();
  for (const p of points) {
    const list = byKind.get(p.kind) ?? [];
    list.push([p.lon, p.lat, p.label]);
    byKind.set(p.kind, list);
  }
  return {
    ...base(title),
    tooltip: { trigger: "item", formatter: (x: { value: [number, number, string] }) => `${x.value[2]}<br/>${x.value[1]}, ${x.value[0]}` },
    legend: { type: "scroll", top: 22 },
    xAxis: { type: "value", name: "lon", scale: true },
    yAxis: { type: "value", name: "lat", scale: true },
    series: [...byKind.entries()].map(([kind, data]) => ({ type: "scatter", name: kind || "?", data, symbolSize: 9 })),
  };
}
