import { describe, expect, it } from "vitest";
import { reportTables, toReport } from "./report";

const raw = {
  since: "2026-10-31T16:00:00Z",
  until: "2026-11-30T16:00:00Z",
  utcOffset: "+08:00",
  collection: {
    events: "12",
    byCounty: [{ key: "451421", count: "3" }, { key: "451402", count: "9" }],
    rejected: "3",
    rejectedByCounty: [{ key: "451421", count: "1" }, { key: "451499", count: "2" }],
  },
  judgment: { judgments: "4", byRule: [{ ruleId: "wanted", severity: "SEVERITY_CRITICAL", judgments: "2" }], confirmed: "1" },
  dispatch: {
    units: [
      { unitId: "fusui-psb", deliveries: "2", acknowledged: "2", withDeadline: "2", acknowledgedWithinDeadline: "1", slaShare: 0.5, signoffP50: "61.200s" },
      { unitId: "chongzuo-ops", slaShare: 1 },
    ],
    total: { deliveries: "2", slaShare: 0.5 },
  },
  rules: [{ ruleId: "wanted", judgments: "2", positive: "1", negative: "1", precision: 0.5 }],
};

describe("toReport", () => {
  it("reads omitted figures as zero", () => {
    const r = toReport(raw);
    expect(r.judgment.dismissed).toBe(0);
    expect(r.units[1]?.deliveries).toBe(0);
    expect(r.units[1]?.signoffP50Ms).toBeNull();
    expect(r.collection.deadLettered).toBe(0);
    expect(r.collection.rejected).toBe(3);
    expect(r.collection.rejectedBySource).toEqual([]);
    expect(toReport({}).units).toEqual([]);
  });
});

describe("reportTables", () => {
  const tables = reportTables(toReport(raw));
  const byId = (id: string) => tables.find((t) => t.id === id);
  it("sorts counties by volume, with their rejected events, also of a county with nothing accepted", () => {
    expect(byId("counties")?.rows).toEqual([
      ["451402", 9, 0],
      ["451421", 3, 1],
      ["451499", 0, 2],
    ]);
  });
  it("gives units their SLA in percent and latency in seconds, and a total row", () => {
    const units = byId("units");
    expect(units?.rows[0]?.slice(0, 7)).toEqual(["fusui-psb", 2, 2, 2, 1, 50, 61.2]);
    expect(units?.rows[1]?.[6]).toBeNull(); // no sign-off: no latency, not 0
    expect(units?.rows.at(-1)?.[0]).toBe("Σ");
    expect(units?.rows[0]).toHaveLength(units?.columns.length ?? -1);
  });
  it("gives rule precision in percent", () => {
    expect(byId("precision")?.rows).toEqual([["wanted", 2, 1, 1, 50]]);
    expect(byId("rules")?.rows).toEqual([["wanted", "CRITICAL", 2]]);
  });
});
