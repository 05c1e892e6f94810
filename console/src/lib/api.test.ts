import { describe, expect, it } from "vitest";
import { ApiClient, errorFromBody, type Fetch } from "./api";

function fakeFetch(status: number, body: string, seen: { url?: string; init?: RequestInit }[] = []): Fetch {
  return async (url, init) => {
    seen.push({ url, init });
    return new Response(body, { status, headers: { "Content-Type": "application/json" } });
  };
}

describe("ApiClient.call", () => {
  it("posts the request as JSON with the bearer token to /api/v1/{service}/{Method}", async () => {
    const seen: { url?: string; init?: RequestInit }[] = [];
    const api = new ApiClient({ token: () => "tok", fetch: fakeFetch(200, '{"units":[]}', seen) });
    const r = await api.call("dispatch", "ListUnits", {});
    expect(r).toEqual({ ok: true, value: { units: [] } });
    expect(seen[0]?.url).toBe("/api/v1/dispatch/ListUnits");
    expect(seen[0]?.init?.method).toBe("POST");
    expect((seen[0]?.init?.headers as Record<string, string>).Authorization).toBe("Bearer tok");
    expect(seen[0]?.init?.body).toBe("{}");
  });
  it("sends no Authorization without a token", async () => {
    const seen: { url?: string; init?: RequestInit }[] = [];
    const api = new ApiClient({ token: () => "", fetch: fakeFetch(401, '{"code":"UNAUTHENTICATED","message":"no token"}', seen) });
    const r = await api.call("judgment", "GetJudgment", { judgmentId: "x" });
    expect((seen[0]?.init?.headers as Record<string, string>).Authorization).toBeUndefined();
    expect(r).toEqual({ ok: false, error: { code: "UNAUTHENTICATED", message: "no token", httpStatus: 401 } });
  });
  it("returns the server's code and message as a value", async () => {
    const api = new ApiClient({ token: () => "t", fetch: fakeFetch(403, '{"code":"PERMISSION_DENIED","message":"needs the supervisor role"}') });
    const r = await api.call("supervision", "Report", {});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toBe("needs the supervisor role");
  });
  it("turns a network failure into UNAVAILABLE, not an exception", async () => {
    const api = new ApiClient({
      token: () => "t",
      fetch: async () => {
        throw new TypeError("Failed to fetch");
      },
    });
    const r = await api.call("dispatch", "ListUnits");
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe("UNAVAILABLE");
      expect(r.error.httpStatus).toBe(0);
    }
  });
  it("treats an empty 200 body as the empty message", async () => {
    const api = new ApiClient({ token: () => "t", fetch: fakeFetch(200, "") });
    expect(await api.call("dispatch", "ListUnits")).toEqual({ ok: true, value: {} });
  });
});

describe("errorFromBody", () => {
  it("falls back to the HTTP status when the body is not the JSON error", () => {
    expect(errorFromBody(503, "upstream down").code).toBe("UNAVAILABLE");
    expect(errorFromBody(504, "").code).toBe("DEADLINE_EXCEEDED");
    expect(errorFromBody(500, "<html>").code).toBe("INTERNAL");
    expect(errorFromBody(404, '{"message":"no code"}').code).toBe("NOT_FOUND");
  });
});
