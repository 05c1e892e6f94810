// Reading protobuf JSON as the gateway writes it: fields with default values are omitted, so a
// missing field is its default (0, "", false, [], the enum's 0 value), and 64-bit integers
// arrive as strings. These helpers never throw; a value of the wrong type reads as the default.

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export function obj(v: unknown): JsonObject {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as JsonObject) : {};
}

export function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

export function bool(v: unknown): boolean {
  return v === true;
}

/** int32/uint32/double (numbers), also accepting a numeric string. Missing: 0. */
export function num(v: unknown): number {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && v.trim() !== "") {
    const n = Number(v);
    return Number.isFinite(n) ? n : 0;
  }
  return 0;
}

/**
 * int64/uint64: the gateway sends strings. Seqs and counts stay far below 2^53, so a number is
 * exact; a value beyond that is clamped to MAX_SAFE_INTEGER rather than silently rounded.
 */
export function int64(v: unknown): number {
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (typeof v === "string" && /^-?\d+$/.test(v.trim())) {
    const b = BigInt(v.trim());
    if (b > BigInt(Number.MAX_SAFE_INTEGER)) return Number.MAX_SAFE_INTEGER;
    if (b < BigInt(Number.MIN_SAFE_INTEGER)) return Number.MIN_SAFE_INTEGER;
    return Number(b);
  }
  return 0;
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function strs(v: unknown): string[] {
  return arr(v).filter((x): x is string => typeof x === "string");
}

/** An enum by name; missing (or unknown to this build) reads as its 0 value. */
export function enumOf<E extends string>(v: unknown, values: readonly E[], zero: E): E {
  return typeof v === "string" && (values as readonly string[]).includes(v) ? (v as E) : zero;
}

/** A google.protobuf.Timestamp (RFC 3339) as epoch milliseconds; missing or bad: null (unset). */
export function timestamp(v: unknown): number | null {
  if (typeof v !== "string" || v === "") return null;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? null : ms;
}

/** A google.protobuf.Duration ("1.500s", "-3s") in milliseconds; missing: null (unset). */
export function duration(v: unknown): number | null {
  if (typeof v !== "string") return null;
  const m = /^(-?\d+(?:\.\d+)?)s$/.exec(v.trim());
  return m ? Math.round(Number(m[1]) * 1000) : null;
}

/** map<string,string>: an object of strings. */
export function strMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(obj(v))) if (typeof x === "string") out[k] = x;
  return out;
}
