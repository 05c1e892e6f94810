// A supervisor's view of the hierarchy: the units below one (by supervisor_unit_id, any depth)
// and each one's pending, overdue and awaiting-approval counts from its deliveries.
import { awaitsApproval, awaitsSignOff, isOverdue } from "./inbox";
import type { Delivery, Unit } from "./model";

/** `root` and every unit below it, root first, then in the order ListUnits gave (routing file). */
export function unitsBelow(units: readonly Unit[], root: string): Unit[] {
  const inScope = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const u of units) {
      if (!inScope.has(u.unitId) && inScope.has(u.supervisorUnitId)) {
        inScope.add(u.unitId);
        grew = true;
      }
    }
  }
  const rootUnit = units.filter((u) => u.unitId === root);
  return [...rootUnit, ...units.filter((u) => u.unitId !== root && inScope.has(u.unitId))];
}

export interface UnitCounts {
  total: number;
  pending: number;
  overdue: number;
  awaitingApproval: number;
}

export function countsByUnit(deliveries: readonly Delivery[], nowMs: number): Map<string, UnitCounts> {
  const out = new Map<string, UnitCounts>();
  for (const d of deliveries) {
    const c = out.get(d.unitId) ?? { total: 0, pending: 0, overdue: 0, awaitingApproval: 0 };
    c.total += 1;
    if (awaitsSignOff(d)) c.pending += 1;
    if (isOverdue(d, nowMs)) c.overdue += 1;
    if (awaitsApproval(d)) c.awaitingApproval += 1;
    out.set(d.unitId, c);
  }
  return out;
}
