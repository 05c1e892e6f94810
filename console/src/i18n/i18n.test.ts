import { describe, expect, it } from "vitest";
import { en } from "./en";
import { zh } from "./zh";
import { pickLanguage } from "./index";

describe("dictionaries", () => {
  it("zh and en have the same keys", () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
  });
  it("every label is non-empty and keeps its placeholders in both languages", () => {
    const placeholders = (s: string) => (s.match(/\{\{\w+\}\}/g) ?? []).sort();
    for (const k of Object.keys(en) as (keyof typeof en)[]) {
      expect(en[k].trim(), k).not.toBe("");
      expect(zh[k].trim(), k).not.toBe("");
      expect(placeholders(zh[k]), k).toEqual(placeholders(en[k]));
    }
  });
});

describe("pickLanguage", () => {
  it("takes a saved choice over the browser", () => {
    expect(pickLanguage("en", ["zh-CN"])).toBe("en");
  });
  it("takes the first browser language it knows", () => {
    expect(pickLanguage(null, ["fr-FR", "zh-TW", "en"])).toBe("zh");
    expect(pickLanguage(null, ["en-GB", "zh-CN"])).toBe("en");
  });
  it("falls back to English", () => {
    expect(pickLanguage("de", ["de-DE"])).toBe("en");
  });
});
