// The console's routes (paths in the browser; the gateway answers index.html for any path
// without a file extension, so a reload lands on the same view). Ids go in the query, never in
// the path: an id with a dot would look like a file name to the gateway.
import type { View } from "./jwt";

export type Route =
  | { name: "login" }
  | { name: "analyst" }
  | { name: "judgment"; judgmentId: string }
  | { name: "hotspots" }
  | { name: "unit"; unitId: string }
  | { name: "supervisor" }
  | { name: "trace"; query: URLSearchParams }
  | { name: "report"; query: URLSearchParams }
  | { name: "home" }
  | { name: "notFound"; path: string };

export function parseRoute(pathname: string, search = ""): Route {
  const parts = pathname.split("/").filter((p) => p !== "").map(decodeURIComponent);
  const [a] = parts;
  if (parts.length === 0) return { name: "home" };
  if (a === "login" && parts.length === 1) return { name: "login" };
  if (a === "analyst" && parts.length === 1) return { name: "analyst" };
  const q = new URLSearchParams(search);
  if (a === "judgment" && parts.length === 1) return { name: "judgment", judgmentId: q.get("id") ?? "" };
  if (a === "hotspots" && parts.length === 1) return { name: "hotspots" };
  if (a === "unit" && parts.length === 1) return { name: "unit", unitId: q.get("unit") ?? "" };
  if (a === "supervisor" && parts.length === 1) return { name: "supervisor" };
  if (a === "trace" && parts.length === 1) return { name: "trace", query: q };
  if (a === "report" && parts.length === 1) return { name: "report", query: q };
  return { name: "notFound", path: pathname };
}

export const paths = {
  analyst: () => "/analyst",
  judgment: (id: string) => `/judgment?${new URLSearchParams({ id }).toString()}`,
  hotspots: () => "/hotspots",
  unit: (unitId = "") => (unitId === "" ? "/unit" : `/unit?${new URLSearchParams({ unit: unitId }).toString()}`),
  supervisor: () => "/supervisor",
  trace: (q: Record<string, string> = {}) => {
    const s = new URLSearchParams(q).toString();
    return s === "" ? "/trace" : `/trace?${s}`;
  },
  report: () => "/report",
};

/**
 * The views whose roles may open a route; null: anyone signed in. A judgment's page is also a
 * supervisor's (the services let supervisors read judgments, and traces link there).
 */
export function viewsOf(route: Route): View[] | null {
  switch (route.name) {
    case "analyst":
    case "hotspots":
      return ["analyst"];
    case "judgment":
      return ["analyst", "supervisor"];
    case "unit":
      return ["unit"];
    case "supervisor":
    case "trace":
    case "report":
      return ["supervisor"];
    default:
      return null;
  }
}

/** Where "/" goes for these views: the first one's start page. */
export function homeFor(views: readonly View[]): string {
  const first = views[0];
  if (first === "analyst") return paths.analyst();
  if (first === "unit") return paths.unit();
  if (first === "supervisor") return paths.supervisor();
  return "/login";
}
