import { describe, expect, it } from "vitest";
import { addFromStream, awaitsApproval, isOverdue, mergeDeliveries, newestFirst, withAcknowledgement, withFeedback } from "./inbox";
import { toDelivery } from "./model";

const d = (seq: number, extra: object = {}) =>
  toDelivery({ unitId: "fusui-psb", seq: String(seq), status: "DELIVERY_STATUS_PENDING", deliveredAt: `2026-11-03T00:0${seq}:00Z`, ...extra });

describe("the inbox", () => {
  it("merges by delivery id, the later read winning, newest first", () => {
    let inbox = mergeDeliveries(new Map(), [d(1), d(2)]);
    inbox = mergeDeliveries(inbox, [d(1, { status: "DELIVERY_STATUS_ACKNOWLEDGED" }), d(3)]);
    const list = newestFirst(inbox);
    expect(list.map((x) => x.seq)).toEqual([3, 2, 1]);
    expect(list[2]?.status).toBe("DELIVERY_STATUS_ACKNOWLEDGED");
  });
  it("takes new deliveries from the stream but never an older state of a known one", () => {
    const listed = mergeDeliveries(new Map(), [d(1, { status: "DELIVERY_STATUS_FEEDBACK" })]);
    const after = addFromStream(addFromStream(listed, d(1)), d(2));
    expect(after.get("fusui-psb/1")?.status).toBe("DELIVERY_STATUS_FEEDBACK");
    expect(after.get("fusui-psb/2")?.status).toBe("DELIVERY_STATUS_PENDING");
    expect(addFromStream(after, d(2))).toBe(after); // unchanged: no re-render
  });
  it("is overdue only while pending past the deadline", () => {
    const now = Date.parse("2026-11-03T01:00:00Z");
    expect(isOverdue(d(1, { deadline: "2026-11-03T00:30:00Z" }), now)).toBe(true);
    expect(isOverdue(d(1, { deadline: "2026-11-03T02:00:00Z" }), now)).toBe(false);
    expect(isOverdue(d(1, { deadline: "2026-11-03T00:30:00Z", status: "DELIVERY_STATUS_ACKNOWLEDGED" }), now)).toBe(false);
    expect(isOverdue(d(1), now)).toBe(false);
  });
  it("updates in place after Acknowledge and Feedback", () => {
    const acked = withAcknowledgement(d(1), { alreadyAcknowledged: false, acknowledgedAt: 5, acknowledgedBy: "officer-7" });
    expect(acked.status).toBe("DELIVERY_STATUS_ACKNOWLEDGED");
    expect(acked.acknowledgedBy).toBe("officer-7");
    const fed = withFeedback(acked, { alreadyRecorded: false, feedback: { outcome: "FEEDBACK_OUTCOME_HANDLED", note: "", givenBy: "officer-7", givenAt: 6 } });
    expect(fed.status).toBe("DELIVERY_STATUS_FEEDBACK");
    expect(fed.feedback?.outcome).toBe("FEEDBACK_OUTCOME_HANDLED");
  });
  it("awaits approval when the judgment needs it and feedback is in", () => {
    expect(awaitsApproval(d(1, { status: "DELIVERY_STATUS_FEEDBACK", judgment: { needsApproval: true } }))).toBe(true);
    expect(awaitsApproval(d(1, { status: "DELIVERY_STATUS_FEEDBACK" }))).toBe(false);
    expect(awaitsApproval(d(1, { status: "DELIVERY_STATUS_APPROVED", judgment: { needsApproval: true } }))).toBe(false);
  });
});
