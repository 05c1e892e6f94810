import { describe, expect, it } from "vitest";
import { actionFor, backoffMs, parseErrorEvent, ResumeTracker } from "./sse";

describe("ResumeTracker", () => {
  it("sends no Last-Event-ID before anything was seen", () => {
    expect(new ResumeTracker(0).resumeHeaders()).toEqual({});
  });
  it("resumes after seq 5 with Last-Event-ID 5 and drops a repeated 5", () => {
    const t = new ResumeTracker(0);
    for (const id of ["1", "2", "3", "4", "5"]) expect(t.accept(id)).toBe(true);
    expect(t.resumeHeaders()).toEqual({ "Last-Event-ID": "5" });
    expect(t.accept("5")).toBe(false);
    expect(t.accept("3")).toBe(false);
    expect(t.accept("6")).toBe(true);
    expect(t.lastSeq).toBe(6);
  });
  it("starts from the request's after_seq", () => {
    const t = new ResumeTracker(10);
    expect(t.resumeHeaders()).toEqual({ "Last-Event-ID": "10" });
    expect(t.accept("10")).toBe(false);
    expect(t.accept("11")).toBe(true);
  });
  it("takes a gap (the judgment stream is filtered) without complaint", () => {
    const t = new ResumeTracker(0);
    expect(t.accept("2")).toBe(true);
    expect(t.accept("40")).toBe(true);
    expect(t.resumeHeaders()).toEqual({ "Last-Event-ID": "40" });
  });
});

describe("actionFor", () => {
  it("retries a dropped stream, UNAVAILABLE and a lag cut-off", () => {
    expect(actionFor("UNAVAILABLE")).toBe("retry");
    expect(actionFor("RESOURCE_EXHAUSTED")).toBe("retry");
  });
  it("does not retry what the contract says not to", () => {
    expect(actionFor("UNAUTHENTICATED")).toBe("stop");
    expect(actionFor("PERMISSION_DENIED")).toBe("stop");
    expect(actionFor("INVALID_ARGUMENT")).toBe("stop");
  });
});

describe("backoffMs", () => {
  it("doubles from 1 s and stops at 30 s", () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(backoffMs)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });
});

describe("parseErrorEvent", () => {
  it("reads the gateway's error event", () => {
    expect(parseErrorEvent('{"code":"PERMISSION_DENIED","message":"not your unit"}')).toEqual({ code: "PERMISSION_DENIED", message: "not your unit" });
  });
  it("reads anything else as UNKNOWN with the data as the message", () => {
    expect(parseErrorEvent("boom")).toEqual({ code: "UNKNOWN", message: "boom" });
  });
});
