import { describe, expect, it } from "vitest";
import { homeFor, parseRoute, paths, viewOf } from "./router";

describe("parseRoute", () => {
  it("reads each view's path", () => {
    expect(parseRoute("/")).toEqual({ name: "home" });
    expect(parseRoute("/analyst")).toEqual({ name: "analyst" });
    const [jp, jq] = paths.judgment("j/1.x&y").split("?");
    expect(jp).toBe("/judgment"); // no dot in the path: the gateway would take it for a file
    expect(parseRoute(jp ?? "", `?${jq}`)).toEqual({ name: "judgment", judgmentId: "j/1.x&y" });
    expect(parseRoute("/unit")).toEqual({ name: "unit", unitId: "" });
    expect(parseRoute("/unit", "?unit=fusui-psb")).toEqual({ name: "unit", unitId: "fusui-psb" });
    const t = parseRoute("/trace", "?judgmentId=j1");
    expect(t.name === "trace" && t.query.get("judgmentId")).toBe("j1");
    expect(parseRoute("/nope/x").name).toBe("notFound");
  });
  it("maps routes to views and a role's home", () => {
    expect(viewOf(parseRoute("/hotspots"))).toBe("analyst");
    expect(viewOf(parseRoute("/report"))).toBe("supervisor");
    expect(homeFor(["unit", "supervisor"])).toBe("/unit");
    expect(homeFor([])).toBe("/login");
  });
});
