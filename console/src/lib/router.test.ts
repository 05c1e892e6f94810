import { describe, expect, it } from "vitest";
import { homeFor, parseRoute, paths, viewsOf } from "./router";

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
    expect(viewsOf(parseRoute("/hotspots"))).toEqual(["analyst"]);
    expect(viewsOf(parseRoute("/report"))).toEqual(["supervisor"]);
    expect(viewsOf(parseRoute("/judgment", "?id=x"))).toEqual(["analyst", "supervisor"]);
    expect(viewsOf(parseRoute("/login"))).toBeNull();
    expect(homeFor(["unit", "supervisor"])).toBe("/unit");
    expect(homeFor([])).toBe("/login");
  });
});
