// Against a running gateway and bus (not part of `npm test`): the console's own client code —
// ApiClient, the typed calls and StreamReader over @microsoft/fetch-event-source — through the
// real gateway. Run with
//   INFOBUS_GATEWAY=http://127.0.0.1:50080 INFOBUS_TOKEN_OFFICER=… INFOBUS_TOKEN_ANALYST=… \
//   INFOBUS_TOKEN_SUPERVISOR=… npm run test:gateway
// (tokens from `infobusctl token mint`: officer-7 of fusui-psb, analyst-3, supervisor-2 of
// chongzuo-ops, as in the root README). It signs off and reports on fusui-psb's delivery 1.
import { beforeAll, describe, expect, it } from "vitest";
import { ApiClient } from "../lib/api";
import { acknowledge, review, dispatchStreamQuery, EMPTY_FILTER, feedback, getJudgment, judgmentStreamQuery, listAllDeliveries, listJudgments, listUnits, report, trace } from "../lib/calls";
import { toDelivery, toJudgmentRecord, type Delivery, type JudgmentRecord } from "../lib/model";
import { StreamReader, type StreamState } from "../lib/stream";

const base = process.env.INFOBUS_GATEWAY ?? "http://127.0.0.1:50080";
const tokens = {
  officer: process.env.INFOBUS_TOKEN_OFFICER ?? "",
  analyst: process.env.INFOBUS_TOKEN_ANALYST ?? "",
  supervisor: process.env.INFOBUS_TOKEN_SUPERVISOR ?? "",
};
const client = (token: string) => new ApiClient({ base, token: () => token });

beforeAll(() => {
  (globalThis as { window?: unknown }).window = globalThis;
  (globalThis as { document?: unknown }).document ??= { hidden: false, addEventListener() {}, removeEventListener() {} };
});

/** Reads a stream until `done` says so (or a timeout), then stops it. */
function readStream<T>(url: string, api: ApiClient, parse: (d: string) => T, done: (items: T[], s: StreamState) => boolean, afterSeq = 0) {
  return new Promise<{ items: T[]; states: StreamState[] }>((resolve) => {
    const items: T[] = [];
    const states: StreamState[] = [];
    const reader = new StreamReader<T>({
      url,
      afterSeq,
      headers: () => api.headers(),
      parse,
      onMessage: (x) => {
        items.push(x);
        if (done(items, states.at(-1) ?? { kind: "connecting" })) finish();
      },
      onState: (s) => {
        states.push(s);
        if (s.kind === "refused" && done(items, s)) finish();
      },
    });
    const timer = setTimeout(() => finish(), 8000);
    function finish() {
      clearTimeout(timer);
      reader.stop();
      resolve({ items, states });
    }
    reader.start();
  });
}

describe("through the gateway", () => {
  it("a call without a token is UNAUTHENTICATED, as a value", async () => {
    const r = await client("").call("dispatch", "ListUnits");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe("UNAUTHENTICATED");
  });

  it("lists units, with Chinese names", async () => {
    const r = await listUnits(client(tokens.officer));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value.find((u) => u.unitId === "fusui-psb")?.name).toBe("扶绥县公安局");
  });

  it("streams the inbox from afterSeq=0, and resumes after 1 with nothing repeated", async () => {
    const api = client(tokens.officer);
    const url = api.url("dispatch", "Subscribe", dispatchStreamQuery("fusui-psb", 0));
    const first = await readStream<Delivery>(url, api, (d) => toDelivery(JSON.parse(d)), (xs) => xs.length >= 1);
    expect(first.items[0]?.deliveryId).toBe("fusui-psb/1");
    expect(first.states.map((s) => s.kind)).toContain("live");
    const again = await readStream<Delivery>(api.url("dispatch", "Subscribe", dispatchStreamQuery("fusui-psb", 1)), api, (d) => toDelivery(JSON.parse(d)), () => false, 1);
    expect(again.items.map((d) => d.seq).filter((s) => s <= 1)).toEqual([]);
  }, 20_000);

  it("refuses another unit's inbox with the server's reason, and does not retry", async () => {
    const api = client(tokens.officer);
    const r = await readStream<Delivery>(api.url("dispatch", "Subscribe", dispatchStreamQuery("chongzuo-ops", 0)), api, (d) => toDelivery(JSON.parse(d)), (_, s) => s.kind === "refused");
    const refused = r.states.find((s) => s.kind === "refused"); // then "closed", by stop()
    expect(refused).toMatchObject({ kind: "refused", code: "PERMISSION_DENIED" });
    expect(r.states.some((s) => s.kind === "reconnecting")).toBe(false);
  }, 20_000);

  it("signs off and reports, sending the token's subject", async () => {
    const api = client(tokens.officer);
    const a = await acknowledge(api, "fusui-psb", 1, "officer-7");
    expect(a.ok && a.value.acknowledgedBy).toBe("officer-7");
    const f = await feedback(api, { unitId: "fusui-psb", seq: 1, outcome: "FEEDBACK_OUTCOME_HANDLED", note: "console e2e", givenBy: "officer-7" });
    expect(f.ok && f.value.feedback?.givenBy).toBe("officer-7");
    const list = await listAllDeliveries(api, { unitId: "fusui-psb" });
    expect(list.ok && list.value.find((d) => d.seq === 1)?.status).toBe("DELIVERY_STATUS_FEEDBACK");
  });

  it("streams judgments with a filter and reads one", async () => {
    const api = client(tokens.analyst);
    const url = api.url("judgment", "Subscribe", judgmentStreamQuery({ ...EMPTY_FILTER, kinds: ["JUDGMENT_KIND_WATCHLIST_HIT"] }, 0));
    const r = await readStream<JudgmentRecord>(url, api, (d) => toJudgmentRecord(JSON.parse(d)), (xs) => xs.length >= 1);
    const rec = r.items[0];
    expect(rec?.judgment.kind).toBe("JUDGMENT_KIND_WATCHLIST_HIT");
    const g = await getJudgment(api, rec?.judgment.judgmentId ?? "");
    expect(g.ok && g.value.judgment.evidence.length).toBeGreaterThan(0);
    const rv = await review(api, { judgmentId: rec?.judgment.judgmentId ?? "", status: "REVIEW_STATUS_CONFIRMED", note: "console e2e", reviewer: "analyst-3" });
    expect(rv.ok && rv.value.judgment.review?.reviewer).toBe("analyst-3");
    const l = await listJudgments(api, { filter: EMPTY_FILTER });
    expect(l.ok && l.value.records.length).toBeGreaterThan(0);
  }, 20_000);

  it("traces an event and reports a month as a supervisor", async () => {
    const api = client(tokens.supervisor);
    const t = await trace(api, { by: "event", sourceId: "fusui-lodging", eventId: "hotel-0001" });
    expect(t.ok && t.value.judgments[0]?.hops.length).toBeGreaterThan(0);
    const r = await report(api, { period: "2026-11", unitId: "chongzuo-ops", includeSubordinates: true });
    expect(r.ok && r.value.utcOffset).not.toBe("");
  });
});
