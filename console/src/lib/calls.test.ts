import { describe, expect, it } from "vitest";
import { ApiClient, type Fetch } from "./api";
import { acknowledge, EMPTY_FILTER, feedback, filterJson, judgmentStreamQuery, listAllDeliveries, reportQueryFromUrl, reportQueryToUrl, reportRequest, toTrace, traceItemOf, traceRequest } from "./calls";

function recording(answers: string[]): { fetch: Fetch; bodies: unknown[]; urls: string[] } {
  const bodies: unknown[] = [];
  const urls: string[] = [];
  return {
    bodies,
    urls,
    fetch: async (url, init) => {
      urls.push(url);
      bodies.push(JSON.parse(String(init.body)));
      return new Response(answers.shift() ?? "{}", { status: 200 });
    },
  };
}

describe("requests", () => {
  it("leaves default filter fields out", () => {
    expect(filterJson(EMPTY_FILTER)).toEqual({});
    expect(filterJson({ ...EMPTY_FILTER, minSeverity: "SEVERITY_HIGH", ruleIds: ["r1"] })).toEqual({ minSeverity: "SEVERITY_HIGH", ruleIds: ["r1"] });
  });
  it("puts the stream filter in the query, repeated fields by repetition", () => {
    const q = judgmentStreamQuery({ ...EMPTY_FILTER, minSeverity: "SEVERITY_HIGH", kinds: ["JUDGMENT_KIND_WATCHLIST_HIT", "JUDGMENT_KIND_MOVEMENT"] }, 0);
    expect(q.toString()).toBe(
      "filter.minSeverity=SEVERITY_HIGH&filter.kinds=JUDGMENT_KIND_WATCHLIST_HIT&filter.kinds=JUDGMENT_KIND_MOVEMENT&afterSeq=0",
    );
  });
  it("sends the signer: acknowledged_by and given_by are required", async () => {
    const r = recording(['{"acknowledgedBy":"officer-7","acknowledgedAt":"2026-11-03T00:00:00Z"}', '{"feedback":{"outcome":"FEEDBACK_OUTCOME_HANDLED"}}']);
    const api = new ApiClient({ token: () => "t", fetch: r.fetch });
    const a = await acknowledge(api, "fusui-psb", 3, "officer-7");
    expect(r.bodies[0]).toEqual({ unitId: "fusui-psb", seq: "3", acknowledgedBy: "officer-7" });
    expect(a.ok && a.value.alreadyAcknowledged).toBe(false);
    await feedback(api, { unitId: "fusui-psb", seq: 3, outcome: "FEEDBACK_OUTCOME_HANDLED", note: "", givenBy: "officer-7" });
    expect(r.bodies[1]).toMatchObject({ seq: "3", givenBy: "officer-7", outcome: "FEEDBACK_OUTCOME_HANDLED" });
  });
  it("follows page tokens", async () => {
    const r = recording(['{"deliveries":[{"unitId":"u","seq":"1"}],"nextPageToken":"p2"}', '{"deliveries":[{"unitId":"u","seq":"2"}]}']);
    const api = new ApiClient({ token: () => "t", fetch: r.fetch });
    const all = await listAllDeliveries(api, { unitId: "u", includeSubordinates: true });
    expect(all.ok && all.value.map((x) => x.seq)).toEqual([1, 2]);
    expect(r.bodies[1]).toMatchObject({ pageToken: "p2", includeSubordinates: true });
  });
  it("names one trace item and one report scope", () => {
    expect(traceRequest({ by: "event", sourceId: "fusui-lodging", eventId: "hotel-0001" })).toEqual({ event: { sourceId: "fusui-lodging", eventId: "hotel-0001" } });
    expect(reportRequest({ period: "2026-11", since: "x", unitId: "u", includeSubordinates: true })).toEqual({ period: "2026-11", unitId: "u", includeSubordinates: true });
    expect(reportRequest({ since: "a", until: "b", jurisdictionPrefix: "4514", unitId: "u" })).toEqual({ since: "a", until: "b", jurisdictionPrefix: "4514" });
  });
});

describe("traceItemOf", () => {
  it("reads one complete item from the page's query", () => {
    expect(traceItemOf(new URLSearchParams("sourceId=fusui-lodging&eventId=hotel-0001"))).toEqual({ by: "event", sourceId: "fusui-lodging", eventId: "hotel-0001" });
    expect(traceItemOf(new URLSearchParams("sourceId=fusui-lodging&judgmentId=j1"))).toEqual({ by: "judgmentId", judgmentId: "j1" });
    expect(traceItemOf(new URLSearchParams("traceId=%20"))).toBeNull();
  });
});

describe("toTrace", () => {
  it("reads hops with their latency and what is missing", () => {
    const t = toTrace({
      judgments: [{ judgmentId: "j", state: "JUDGMENT_STATE_DISPATCHED", hops: [{ kind: "HOP_KIND_JUDGED", sincePrevious: "0.250s" }], missing: ["fusui-psb/3: not signed off"] }],
    });
    expect(t.judgments[0]?.hops[0]?.sincePreviousMs).toBe(250);
    expect(t.judgments[0]?.missing).toEqual(["fusui-psb/3: not signed off"]);
    expect(t.events).toEqual([]);
    expect(t.accesses).toEqual([]);
    expect(t.accessesNotShown).toBe(0);
  });
  it("reads who saw the item, and how many older accesses were left out", () => {
    const t = toTrace({
      missing: ["event not seen: collection rejected it (events[0].kind: is required)"],
      accesses: [{ auditId: "a1", at: "2026-11-03T08:00:03Z", subject: "fusui-lodging", method: "CollectionService/Publish", itemKind: "event", itemId: "fusui-lodging/e9", decision: "AUDIT_DECISION_REJECTED", reason: "events[0].kind: is required" }],
      accessesNotShown: "4",
    });
    expect(t.accesses[0]?.decision).toBe("AUDIT_DECISION_REJECTED");
    expect(t.accesses[0]?.at).toBe(Date.parse("2026-11-03T08:00:03Z"));
    expect(t.accesses[0]?.service).toBe("");
    expect(t.accessesNotShown).toBe(4);
  });
});

describe("report query in the URL", () => {
  it("round-trips period and scope", () => {
    const q = { period: "2026-W45", unitId: "chongzuo-ops", includeSubordinates: true };
    const u = reportQueryToUrl(q);
    expect(u.toString()).toBe("period=2026-W45&unitId=chongzuo-ops&includeSubordinates=true");
    expect(reportQueryFromUrl(u)).toEqual(q);
  });
  it("needs a period or a whole range", () => {
    expect(reportQueryFromUrl(new URLSearchParams("since=2026-11-01T00:00:00Z"))).toBeNull();
    expect(reportQueryFromUrl(new URLSearchParams("since=a&until=b&jurisdictionPrefix=4514"))).toEqual({ since: "a", until: "b", jurisdictionPrefix: "4514" });
  });
});
