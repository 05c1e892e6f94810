import { describe, expect, it } from "vitest";
import { clearToken, fragmentWithoutToken, loadToken, saveToken, tokenFromFragment, TOKEN_KEY } from "./session";

describe("the URL fragment", () => {
  it("gives the token", () => {
    expect(tokenFromFragment("#token=a.b.c")).toBe("a.b.c");
    expect(tokenFromFragment("#x=1&token=a.b.c")).toBe("a.b.c");
    expect(tokenFromFragment("#x=1")).toBeNull();
    expect(tokenFromFragment("")).toBeNull();
  });
  it("loses the token and keeps the rest", () => {
    expect(fragmentWithoutToken("#token=a.b.c")).toBe("");
    expect(fragmentWithoutToken("#x=1&token=a.b.c")).toBe("#x=1");
  });
});

describe("the store", () => {
  it("keeps, trims and forgets the token", () => {
    const m = new Map<string, string>();
    const store = { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k) };
    expect(loadToken(store)).toBe("");
    saveToken(store, "  a.b.c\n");
    expect(m.get(TOKEN_KEY)).toBe("a.b.c");
    expect(loadToken(store)).toBe("a.b.c");
    clearToken(store);
    expect(loadToken(store)).toBe("");
  });
});
