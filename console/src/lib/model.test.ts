import { describe, expect, it } from "vitest";
import { toBusEvent, toDelivery, toJudgmentRecord } from "./model";

describe("toJudgmentRecord", () => {
  it("fills every omitted field with its default", () => {
    const r = toJudgmentRecord({ seq: "5", judgment: { judgmentId: "j1", severity: "SEVERITY_HIGH" } });
    expect(r.seq).toBe(5);
    expect(r.judgment.judgmentId).toBe("j1");
    expect(r.judgment.ruleVersion).toBe(0);
    expect(r.judgment.kind).toBe("JUDGMENT_KIND_UNSPECIFIED");
    expect(r.judgment.evidence).toEqual([]);
    expect(r.judgment.review).toBeNull();
    expect(r.judgment.needsApproval).toBe(false);
    expect(r.judgment.responseDeadlineMs).toBeNull();
  });
  it("reads evidence and a review", () => {
    const r = toJudgmentRecord({
      seq: "9",
      judgment: {
        evidence: [{ eventId: "e1", sourceId: "fusui-lodging", traceId: "t1", occurredAt: "2026-11-03T00:00:00Z" }],
        review: { status: "REVIEW_STATUS_CONFIRMED", reviewer: "analyst-3" },
        evidenceCount: "12",
        responseDeadline: "900s",
      },
    });
    expect(r.judgment.evidence[0]?.traceId).toBe("t1");
    expect(r.judgment.evidence[0]?.occurredAt).toBe(Date.UTC(2026, 10, 3));
    expect(r.judgment.review?.status).toBe("REVIEW_STATUS_CONFIRMED");
    expect(r.judgment.evidenceCount).toBe(12);
    expect(r.judgment.responseDeadlineMs).toBe(900_000);
  });
});

describe("toDelivery", () => {
  it("derives the delivery id when omitted and reads escalation", () => {
    const d = toDelivery({ unitId: "chongzuo-ops", seq: "3", escalatedFrom: "fusui-psb/1", escalationLevel: 1, status: "DELIVERY_STATUS_PENDING" });
    expect(d.deliveryId).toBe("chongzuo-ops/3");
    expect(d.escalatedFrom).toBe("fusui-psb/1");
    expect(d.escalationLevel).toBe(1);
    expect(d.feedback).toBeNull();
    expect(d.rerouteReason).toBe("REROUTE_REASON_UNSPECIFIED");
  });
});

describe("toBusEvent", () => {
  it("reads coordinates under json or proto names", () => {
    const a = toBusEvent({ eventId: "e", location: { hasCoordinates: true, lat: 22.6, lon: 107.9 } });
    const b = toBusEvent({ event_id: "e", location: { has_coordinates: true, lat: 22.6, lon: 107.9 } });
    expect(a.location).toEqual(b.location);
    expect(b.eventId).toBe("e");
    expect(b.location.hasCoordinates).toBe(true);
  });
});
