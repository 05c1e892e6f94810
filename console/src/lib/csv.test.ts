import { describe, expect, it } from "vitest";
import { guardCell, toCsv } from "./csv";

describe("guardCell", () => {
  it("prefixes text that a spreadsheet would run as a formula", () => {
    expect(guardCell("=HYPERLINK(\"http://x\")")).toBe("'=HYPERLINK(\"http://x\")");
    expect(guardCell("+1")).toBe("'+1");
    expect(guardCell("-2+3")).toBe("'-2+3");
    expect(guardCell("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(guardCell("\t=1")).toBe("'\t=1");
  });
  it("leaves ordinary text and numbers alone", () => {
    expect(guardCell("fusui-psb")).toBe("fusui-psb");
    expect(guardCell("扶绥县公安局")).toBe("扶绥县公安局");
    expect(guardCell(-3)).toBe("-3");
    expect(guardCell(null)).toBe("");
  });
});

describe("toCsv", () => {
  it("quotes commas, quotes and newlines, after guarding", () => {
    const csv = toCsv(["unit", "note"], [["a,b", 'say "hi"'], ["=cmd", "line1\nline2"]]);
    expect(csv).toBe('unit,note\r\n"a,b","say ""hi"""\r\n\'=cmd,"line1\nline2"\r\n');
  });
});
