import { describe, expect, it } from "vitest";
import { decodeClaims, viewsFor } from "./jwt";

function b64url(s: string): string {
  return Buffer.from(s, "utf-8").toString("base64").replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
const token = (payload: object) => `${b64url('{"alg":"EdDSA"}')}.${b64url(JSON.stringify(payload))}.sig`;

describe("decodeClaims", () => {
  it("reads the claims the console shows", () => {
    const r = decodeClaims(token({ sub: "officer-7", roles: ["officer"], unit: "fusui-psb", jurisdictions: ["451421"], clearance: "CONFIDENTIAL", exp: 1800000000 }));
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.sub).toBe("officer-7");
      expect(r.value.roles).toEqual(["officer"]);
      expect(r.value.unit).toBe("fusui-psb");
      expect(r.value.jurisdictions).toEqual(["451421"]);
      expect(r.value.clearance).toBe("CONFIDENTIAL");
      expect(r.value.compartments).toEqual([]);
      expect(r.value.exp).toBe(1800000000);
    }
  });
  it("decodes UTF-8 (a Chinese name) through base64url", () => {
    const r = decodeClaims(token({ sub: "李娜", roles: ["analyst"] }));
    expect(r.ok && r.value.sub).toBe("李娜");
  });
  it("refuses what is not a JWT, as a value", () => {
    expect(decodeClaims("abc").ok).toBe(false);
    expect(decodeClaims("a.!!!.c").ok).toBe(false);
    expect(decodeClaims(`a.${b64url("[1]")}.c`).ok).toBe(false);
  });
});

describe("viewsFor", () => {
  it("opens each role's views; an administrator's all", () => {
    expect(viewsFor(["analyst"])).toEqual(["analyst"]);
    expect(viewsFor(["officer"])).toEqual(["unit"]);
    expect(viewsFor(["supervisor"])).toEqual(["unit", "supervisor"]);
    expect(viewsFor(["administrator"])).toEqual(["analyst", "unit", "supervisor"]);
    expect(viewsFor(["someone-elses-role"])).toEqual([]);
  });
});
