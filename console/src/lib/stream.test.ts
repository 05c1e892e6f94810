import { beforeAll, describe, expect, it } from "vitest";
import { StreamReader, type StreamState } from "./stream";

beforeAll(() => {
  // @microsoft/fetch-event-source touches window and document even with openWhenHidden.
  (globalThis as { window?: unknown }).window = globalThis;
  (globalThis as { document?: unknown }).document ??= { hidden: false, addEventListener() {}, removeEventListener() {} };
});

function sseResponse(body: string, status = 200, type = "text/event-stream"): Response {
  return new Response(body, { status, headers: { "Content-Type": type } });
}

interface Harness {
  reader: StreamReader<{ n: number }>;
  got: number[];
  states: StreamState[];
  requests: Record<string, string>[];
  pending: (() => void)[];
  settle: () => Promise<void>;
}

function harness(responses: (() => Response)[], afterSeq = 0): Harness {
  const got: number[] = [];
  const states: StreamState[] = [];
  const requests: Record<string, string>[] = [];
  const pending: (() => void)[] = [];
  const fakeFetch = async (_url: RequestInfo | URL, init?: RequestInit) => {
    requests.push({ ...(init?.headers as Record<string, string>) });
    const next = responses.shift();
    if (!next) throw new TypeError("no more responses");
    return next();
  };
  const reader = new StreamReader<{ n: number }>({
    url: "/api/v1/judgment/Subscribe?afterSeq=0",
    afterSeq,
    headers: () => ({ Authorization: "Bearer t" }),
    parse: (d) => JSON.parse(d) as { n: number },
    onMessage: (item) => got.push(item.n),
    onState: (s) => states.push(s),
    open: (url, init) =>
      import("@microsoft/fetch-event-source").then((m) => m.fetchEventSource(url, { ...init, fetch: fakeFetch as typeof fetch })),
    schedule: (fn) => {
      pending.push(fn);
      return pending.length;
    },
    cancel: () => undefined,
  });
  const settle = () => new Promise<void>((r) => setTimeout(r, 20));
  return { reader, got, states, requests, pending, settle };
}

describe("StreamReader", () => {
  it("reconnects after a dropped stream with Last-Event-ID of the last seq and drops the repeat", async () => {
    const h = harness([
      () => sseResponse('id: 4\ndata: {"n":4}\n\nid: 5\ndata: {"n":5}\n\n'),
      () => sseResponse('id: 5\ndata: {"n":5}\n\nid: 6\ndata: {"n":6}\n\n: keep-alive\n\nevent: error\ndata: {"code":"PERMISSION_DENIED","message":"gone"}\n\n'),
    ]);
    h.reader.start();
    await h.settle();
    expect(h.got).toEqual([4, 5]);
    expect(h.requests[0]?.["Last-Event-ID"]).toBeUndefined();
    expect(h.requests[0]?.Authorization).toBe("Bearer t");
    expect(h.states.map((s) => s.kind)).toEqual(["connecting", "live", "reconnecting"]);
    expect(h.pending).toHaveLength(1);

    h.pending.shift()?.();
    await h.settle();
    expect(h.requests[1]?.["Last-Event-ID"]).toBe("5");
    expect(Object.keys(h.requests[1] ?? {}).filter((k) => k.toLowerCase() === "last-event-id")).toHaveLength(1);
    expect(h.got).toEqual([4, 5, 6]);
    expect(h.states.at(-1)).toEqual({ kind: "refused", code: "PERMISSION_DENIED", message: "gone" });
    expect(h.pending).toHaveLength(0); // refused: no retry
  });

  it("retries an `event: error` UNAVAILABLE", async () => {
    const h = harness([() => sseResponse('id: 1\ndata: {"n":1}\n\nevent: error\ndata: {"code":"UNAVAILABLE","message":"kafka"}\n\n')]);
    h.reader.start();
    await h.settle();
    const last = h.states.at(-1);
    expect(last?.kind).toBe("reconnecting");
    if (last?.kind === "reconnecting") {
      expect(last.code).toBe("UNAVAILABLE");
      expect(last.inMs).toBe(1000);
    }
    expect(h.pending).toHaveLength(1);
  });

  it("shows an HTTP refusal before the stream with the server's reason and does not retry", async () => {
    const h = harness([() => sseResponse('{"code":"UNAUTHENTICATED","message":"no token"}', 401, "application/json")]);
    h.reader.start();
    await h.settle();
    expect(h.states.at(-1)).toEqual({ kind: "refused", code: "UNAUTHENTICATED", message: "no token" });
    expect(h.pending).toHaveLength(0);
  });

  it("retries a network failure, backing off", async () => {
    const h = harness([
      () => {
        throw new TypeError("Failed to fetch");
      },
      () => {
        throw new TypeError("Failed to fetch");
      },
    ]);
    h.reader.start();
    await h.settle();
    h.pending.shift()?.();
    await h.settle();
    const inMs = h.states.filter((s) => s.kind === "reconnecting").map((s) => (s.kind === "reconnecting" ? s.inMs : 0));
    expect(inMs).toEqual([1000, 2000]);
  });

  it("starts from a given after_seq: the first reconnect names it even before a message", async () => {
    const h = harness([() => sseResponse(""), () => sseResponse("")], 7);
    h.reader.start();
    await h.settle();
    h.pending.shift()?.();
    await h.settle();
    expect(h.requests[1]?.["Last-Event-ID"]).toBe("7");
  });

  it("stops cleanly: closed, and no reconnect", async () => {
    const h = harness([() => sseResponse('id: 1\ndata: {"n":1}\n\n')]);
    h.reader.start();
    h.reader.stop();
    await h.settle();
    expect(h.states.at(-1)?.kind).toBe("closed");
  });
});
