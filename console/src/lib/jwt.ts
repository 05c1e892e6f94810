// The payload of a person's token, decoded for display only: the signature is not checked here
// and nothing is decided from it (the services verify the token and decide every call).
import { obj, str, strs } from "./json";
import { err, ok, type Result } from "./result";

export interface Claims {
  sub: string;
  roles: string[];
  unit: string;
  jurisdictions: string[];
  clearance: string;
  compartments: string[];
  exp: number | null; // seconds since the epoch
}

function base64UrlDecode(part: string): string | null {
  try {
    const b64 = part.replace(/-/g, "+").replace(/_/g, "/");
    const padded = b64 + "=".repeat((4 - (b64.length % 4)) % 4);
    const binary = atob(padded);
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

export function decodeClaims(token: string): Result<Claims, string> {
  const parts = token.trim().split(".");
  if (parts.length !== 3 || parts[1] === undefined || parts[1] === "") return err("not a JWT (three dot-separated parts)");
  const text = base64UrlDecode(parts[1]);
  if (text === null) return err("the payload is not base64url-encoded UTF-8");
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    return err("the payload is not JSON");
  }
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) return err("the payload is not a JSON object");
  const o = obj(payload);
  return ok({
    sub: str(o.sub),
    roles: strs(o.roles),
    unit: str(o.unit),
    jurisdictions: strs(o.jurisdictions),
    clearance: str(o.clearance),
    compartments: strs(o.compartments),
    exp: typeof o.exp === "number" ? o.exp : null,
  });
}

export type View = "analyst" | "unit" | "supervisor";

/** The views a token's roles open (an administrator: all). The server still decides each call. */
export function viewsFor(roles: readonly string[]): View[] {
  const all = roles.includes("administrator");
  const views: View[] = [];
  if (all || roles.includes("analyst")) views.push("analyst");
  if (all || roles.includes("officer") || roles.includes("supervisor")) views.push("unit");
  if (all || roles.includes("supervisor")) views.push("supervisor");
  return views;
}
