import { describe, expect, it } from "vitest";
import { bool, duration, enumOf, int64, num, str, strs, timestamp } from "./json";
import { SEVERITIES } from "./model";

describe("missing means default", () => {
  it("reads absent fields as 0, '', false, []", () => {
    const o: Record<string, unknown> = {};
    expect(str(o.x)).toBe("");
    expect(num(o.x)).toBe(0);
    expect(int64(o.x)).toBe(0);
    expect(bool(o.x)).toBe(false);
    expect(strs(o.x)).toEqual([]);
    expect(timestamp(o.x)).toBeNull();
    expect(enumOf(o.x, SEVERITIES, "SEVERITY_UNSPECIFIED")).toBe("SEVERITY_UNSPECIFIED");
  });
  it("reads an enum name this build does not know as the 0 value", () => {
    expect(enumOf("SEVERITY_APOCALYPTIC", SEVERITIES, "SEVERITY_UNSPECIFIED")).toBe("SEVERITY_UNSPECIFIED");
    expect(enumOf("SEVERITY_HIGH", SEVERITIES, "SEVERITY_UNSPECIFIED")).toBe("SEVERITY_HIGH");
  });
});

describe("int64", () => {
  it("reads the gateway's strings and plain numbers", () => {
    expect(int64("42")).toBe(42);
    expect(int64(" 7 ")).toBe(7);
    expect(int64(9)).toBe(9);
    expect(int64("-3")).toBe(-3);
  });
  it("refuses what is not an integer", () => {
    expect(int64("4.5")).toBe(0);
    expect(int64("abc")).toBe(0);
    expect(int64(4.5)).toBe(0);
  });
  it("clamps beyond 2^53 instead of rounding silently", () => {
    expect(int64("18446744073709551615")).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe("timestamps and durations", () => {
  it("parses RFC 3339 with an offset", () => {
    expect(timestamp("2026-11-03T08:00:00+08:00")).toBe(Date.UTC(2026, 10, 3, 0, 0, 0));
    expect(timestamp("not a time")).toBeNull();
  });
  it("parses protobuf durations", () => {
    expect(duration("1.500s")).toBe(1500);
    expect(duration("3600s")).toBe(3_600_000);
    expect(duration("-2s")).toBe(-2000);
    expect(duration("1h")).toBeNull();
    expect(duration(undefined)).toBeNull();
  });
});
