import { describe, expect, it } from "vitest";
import { hotspotOption, scatterOption, slaOption } from "./charts";
import { eventPoints } from "./hotspots";
import { toReport } from "./report";

describe("chart options", () => {
  it("plots SLA as percent per unit, capped at 100", () => {
    const o = slaOption(toReport({ dispatch: { units: [{ unitId: "a", slaShare: 0.875 }, { unitId: "b" }] } }), "SLA") as {
      xAxis: { data: string[] };
      yAxis: { max: number };
      series: { data: number[] }[];
    };
    expect(o.xAxis.data).toEqual(["a", "b"]);
    expect(o.series[0]?.data).toEqual([87.5, 0]);
    expect(o.yAxis.max).toBe(100);
  });
  it("stacks one hotspot series per county and kind", () => {
    const o = hotspotOption({ buckets: ["d1", "d2"], series: [{ county: "451421", kind: "HOTSPOT", data: [1, 2] }] }, "t") as { series: { name: string; stack: string }[] };
    expect(o.series[0]).toMatchObject({ name: "451421 · HOTSPOT", stack: "all" });
  });
  it("puts lon on x and lat on y, one series per event kind", () => {
    const { points } = eventPoints('{"eventId":"e","sourceId":"s","kind":"lodging.checkin","location":{"hasCoordinates":true,"lat":22.6,"lon":107.9}}');
    const o = scatterOption(points, "t") as { series: { name: string; data: [number, number, string][] }[]; xAxis: { name: string } };
    expect(o.xAxis.name).toBe("lon");
    expect(o.series[0]?.name).toBe("lodging.checkin");
    expect(o.series[0]?.data[0]?.slice(0, 2)).toEqual([107.9, 22.6]);
  });
});
