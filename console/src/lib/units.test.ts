import { describe, expect, it } from "vitest";
import { toDelivery, toUnit } from "./model";
import { countsByUnit, unitsBelow } from "./units";

const units = [
  toUnit({ unitId: "gx-ops" }),
  toUnit({ unitId: "chongzuo-ops", supervisorUnitId: "gx-ops" }),
  toUnit({ unitId: "fusui-psb", supervisorUnitId: "chongzuo-ops" }),
  toUnit({ unitId: "fusui-station-1", supervisorUnitId: "fusui-psb" }),
  toUnit({ unitId: "nanning-ops", supervisorUnitId: "gx-ops" }),
];

describe("unitsBelow", () => {
  it("takes every level below, root first, not siblings or above", () => {
    expect(unitsBelow(units, "chongzuo-ops").map((u) => u.unitId)).toEqual(["chongzuo-ops", "fusui-psb", "fusui-station-1"]);
  });
  it("survives a cycle in a bad routing file", () => {
    const cyc = [toUnit({ unitId: "a", supervisorUnitId: "b" }), toUnit({ unitId: "b", supervisorUnitId: "a" })];
    expect(unitsBelow(cyc, "a").map((u) => u.unitId)).toEqual(["a", "b"]);
  });
});

describe("countsByUnit", () => {
  it("counts pending, overdue and awaiting approval per unit", () => {
    const now = Date.parse("2026-11-03T01:00:00Z");
    const c = countsByUnit(
      [
        toDelivery({ unitId: "fusui-psb", seq: "1", status: "DELIVERY_STATUS_PENDING", deadline: "2026-11-03T00:00:00Z" }),
        toDelivery({ unitId: "fusui-psb", seq: "2", status: "DELIVERY_STATUS_PENDING" }),
        toDelivery({ unitId: "fusui-psb", seq: "3", status: "DELIVERY_STATUS_FEEDBACK", judgment: { needsApproval: true } }),
        toDelivery({ unitId: "chongzuo-ops", seq: "1", status: "DELIVERY_STATUS_ACKNOWLEDGED" }),
      ],
      now,
    );
    expect(c.get("fusui-psb")).toEqual({ total: 3, pending: 2, overdue: 1, awaitingApproval: 1 });
    expect(c.get("chongzuo-ops")).toEqual({ total: 1, pending: 0, overdue: 0, awaitingApproval: 0 });
  });
});
