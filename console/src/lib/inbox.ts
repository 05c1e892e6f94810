// A unit's inbox as the duty room sees it, keyed by delivery id, newest first. The stream
// brings new deliveries (its backlog may carry a state older than what we know, so it only adds
// what is missing); ListDeliveries and the answers to our own calls bring current states (they
// overwrite: a send-back legitimately moves a delivery back to pending).
import type { AcknowledgeResult, FeedbackResult } from "./calls";
import type { Delivery } from "./model";

export type Inbox = ReadonlyMap<string, Delivery>;

/** Current states (ListDeliveries, a call's answer): they replace what we had. */
export function mergeDeliveries(inbox: Inbox, incoming: readonly Delivery[]): Map<string, Delivery> {
  const next = new Map(inbox);
  for (const d of incoming) next.set(d.deliveryId, d);
  return next;
}

/** A delivery from the stream: added when new, never replacing a state we already know. */
export function addFromStream(inbox: Inbox, d: Delivery): Inbox {
  if (inbox.has(d.deliveryId)) return inbox;
  const next = new Map(inbox);
  next.set(d.deliveryId, d);
  return next;
}

/** Newest first: by delivery time, then seq (per unit, increasing). */
export function newestFirst(inbox: Inbox): Delivery[] {
  return [...inbox.values()].sort(
    (a, b) => (b.deliveredAt ?? 0) - (a.deliveredAt ?? 0) || b.seq - a.seq || a.unitId.localeCompare(b.unitId),
  );
}

/** Still waiting for a sign-off: pending (a send-back makes a delivery pending again). */
export function awaitsSignOff(d: Delivery): boolean {
  return d.status === "DELIVERY_STATUS_PENDING";
}

/** Feedback can be given once signed off or while pending (the server decides). */
export function canGiveFeedback(d: Delivery): boolean {
  return d.status === "DELIVERY_STATUS_PENDING" || d.status === "DELIVERY_STATUS_ACKNOWLEDGED";
}

/** A supervisor's decision is due: the judgment needs approval and the unit reported. */
export function awaitsApproval(d: Delivery): boolean {
  return d.judgment.needsApproval && d.status === "DELIVERY_STATUS_FEEDBACK";
}

export function isOverdue(d: Delivery, nowMs: number): boolean {
  return awaitsSignOff(d) && d.deadline !== null && d.deadline <= nowMs;
}

/** The delivery after a successful Acknowledge (what the server recorded). */
export function withAcknowledgement(d: Delivery, r: AcknowledgeResult): Delivery {
  return {
    ...d,
    status: d.status === "DELIVERY_STATUS_PENDING" ? "DELIVERY_STATUS_ACKNOWLEDGED" : d.status,
    acknowledgedAt: r.acknowledgedAt ?? d.acknowledgedAt,
    acknowledgedBy: r.acknowledgedBy || d.acknowledgedBy,
  };
}

/** The delivery after a successful Feedback. */
export function withFeedback(d: Delivery, r: FeedbackResult): Delivery {
  return { ...d, status: "DELIVERY_STATUS_FEEDBACK", feedback: r.feedback ?? d.feedback };
}
