import { describe, expect, it } from "vitest";
import { periodOf, thisMonth } from "./period";

describe("periodOf", () => {
  it("takes a month, an ISO week and a day as the server's period strings", () => {
    expect(periodOf("month", "2026-11")).toEqual({ ok: true, value: { period: "2026-11" } });
    expect(periodOf("week", "2026-w45")).toEqual({ ok: true, value: { period: "2026-W45" } });
    expect(periodOf("day", "2026-11-03")).toEqual({ ok: true, value: { period: "2026-11-03" } });
  });
  it("refuses malformed ones", () => {
    expect(periodOf("month", "2026-13").ok).toBe(false);
    expect(periodOf("week", "2026-W54").ok).toBe(false);
    expect(periodOf("day", "2026-11").ok).toBe(false);
  });
  it("turns a range into RFC 3339 instants, end after start", () => {
    const r = periodOf("range", "", "2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z");
    expect(r).toEqual({ ok: true, value: { since: "2026-11-01T00:00:00.000Z", until: "2026-11-02T00:00:00.000Z" } });
    expect(periodOf("range", "", "2026-11-02T00:00:00Z", "2026-11-01T00:00:00Z").ok).toBe(false);
    expect(periodOf("range", "", "", "2026-11-01T00:00:00Z").ok).toBe(false);
  });
  it("defaults to this month", () => {
    expect(thisMonth(Date.UTC(2026, 11, 2))).toBe("2026-12");
  });
});
