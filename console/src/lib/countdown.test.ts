import { describe, expect, it } from "vitest";
import { countdown, formatLatency, formatSpan } from "./countdown";

const now = Date.UTC(2026, 10, 3, 12, 0, 0);

describe("countdown", () => {
  it("counts down to a deadline", () => {
    expect(countdown(now + 4 * 60_000 + 5_000, now, false)).toEqual({ overdue: false, text: "4m 05s" });
  });
  it("is overdue at the deadline and after it, counting up", () => {
    expect(countdown(now, now, false)?.overdue).toBe(true);
    expect(countdown(now - 90_000, now, false)).toEqual({ overdue: true, text: "1m 30s" });
  });
  it("has nothing to count without a deadline or once signed off", () => {
    expect(countdown(null, now, false)).toBeNull();
    expect(countdown(now - 1, now, true)).toBeNull();
  });
});

describe("formatSpan", () => {
  it("keeps two units", () => {
    expect(formatSpan(59_999)).toBe("0m 59s");
    expect(formatSpan(2 * 3_600_000 + 3 * 60_000 + 59_000)).toBe("2h 03m");
    expect(formatSpan(26 * 3_600_000)).toBe("1d 02h");
  });
});

describe("formatLatency", () => {
  it("picks a unit", () => {
    expect(formatLatency(850)).toBe("850 ms");
    expect(formatLatency(12_340)).toBe("12.3 s");
    expect(formatLatency(null)).toBe("—");
    expect(formatLatency(3_600_000)).toBe("1h 00m");
  });
});
