import { describe, expect, it } from "vitest";
import { bucketOf, countyOf, eventPoints, evidencePoints, hotspotChart } from "./hotspots";
import { toJudgmentRecord } from "./model";

const rec = (seq: number, id: string, jur: string, kind: string, at: string) =>
  toJudgmentRecord({ seq: String(seq), judgment: { judgmentId: id, jurisdictionCode: jur, kind, createdAt: at } });

describe("hotspotChart", () => {
  it("counts per county and kind per day, zero-filling gaps and counting a reviewed judgment once", () => {
    const c = hotspotChart(
      [
        rec(1, "a", "451421001", "JUDGMENT_KIND_HOTSPOT", "2026-11-01T10:00:00Z"),
        rec(2, "b", "451421", "JUDGMENT_KIND_HOTSPOT", "2026-11-03T10:00:00Z"),
        rec(3, "a", "451421001", "JUDGMENT_KIND_HOTSPOT", "2026-11-01T10:00:00Z"), // its review
        rec(4, "c", "451402", "JUDGMENT_KIND_WATCHLIST_HIT", "2026-11-03T11:00:00Z"),
      ],
      "day",
    );
    expect(c.buckets).toEqual(["2026-11-01", "2026-11-02", "2026-11-03"]);
    expect(c.series).toEqual([
      { county: "451421", kind: "HOTSPOT", data: [1, 0, 1] },
      { county: "451402", kind: "WATCHLIST_HIT", data: [0, 0, 1] },
    ]);
  });
  it("is empty for no records", () => {
    expect(hotspotChart([], "hour")).toEqual({ buckets: [], series: [] });
  });
  it("buckets by UTC hour", () => {
    expect(bucketOf(Date.UTC(2026, 10, 3, 14, 59), "hour")).toBe("2026-11-03 14:00");
    expect(countyOf("45")).toBe("45");
  });
});

describe("eventPoints", () => {
  it("keeps events with coordinates and counts bad lines", () => {
    const text = [
      '{"eventId":"e1","sourceId":"s","location":{"hasCoordinates":true,"lat":22.6,"lon":107.9}}',
      '{"eventId":"e2","sourceId":"s","location":{"lat":22.6,"lon":107.9}}',
      "not json",
      "",
      '{"event_id":"e3","location":{"has_coordinates":true,"lat":91,"lon":0}}',
    ].join("\n");
    const r = eventPoints(text);
    expect(r.points.map((p) => p.label)).toEqual(["s/e1"]);
    expect(r.skipped).toBe(1);
  });
});

describe("evidencePoints", () => {
  it("plots each judged event with coordinates once", () => {
    const withEvidence = (id: string, evidence: unknown[]) =>
      toJudgmentRecord({ seq: "1", judgment: { judgmentId: id, evidence } });
    const here = { sourceId: "s", eventId: "e1", kind: "lodging.checkin", hasCoordinates: true, lat: 22.6, lon: 107.9 };
    const points = evidencePoints([
      withEvidence("a", [here, { sourceId: "s", eventId: "e2", lat: 22.6, lon: 107.9 }]), // e2: no flag
      withEvidence("b", [here, { sourceId: "s", eventId: "e3", hasCoordinates: true, lat: -0.5 }]), // lon 0
      withEvidence("c", [{ sourceId: "s", eventId: "e4", hasCoordinates: true, lat: 95, lon: 0 }]),
    ]);
    expect(points).toEqual([
      { lat: 22.6, lon: 107.9, kind: "lodging.checkin", label: "s/e1" },
      { lat: -0.5, lon: 0, kind: "", label: "s/e3" },
    ]);
  });
});
