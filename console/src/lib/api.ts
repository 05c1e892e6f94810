// The gateway's unary API (gateway-contract.md, "Unary calls"): POST /api/v1/{service}/{Method}
// with the request as protobuf JSON and `Authorization: Bearer <token>`. Every outcome is a
// value: the response JSON, or an ApiError with the gRPC code name and the server's message.
import { err, ok, type Result } from "./result";

export type Service = "collection" | "judgment" | "dispatch" | "supervision";

export interface ApiError {
  code: string; // a gRPC status code name: "PERMISSION_DENIED", "UNAVAILABLE", ...
  message: string;
  httpStatus: number; // 0: no HTTP answer (network)
}

// The contract's mapping, read backwards, for an error whose body is not the JSON one.
const CODE_OF_STATUS: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  405: "UNIMPLEMENTED",
  409: "ABORTED",
  429: "RESOURCE_EXHAUSTED",
  499: "CANCELLED",
  501: "UNIMPLEMENTED",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

export function codeOfHttpStatus(status: number): string {
  return CODE_OF_STATUS[status] ?? (status >= 500 ? "INTERNAL" : "UNKNOWN");
}

/** The error of an HTTP answer that is not 200: the JSON body when it has one, else by status. */
export function errorFromBody(status: number, body: string): ApiError {
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed !== null && typeof parsed === "object") {
      const o = parsed as Record<string, unknown>;
      if (typeof o.code === "string" && o.code !== "") {
        return { code: o.code, message: typeof o.message === "string" ? o.message : "", httpStatus: status };
      }
    }
  } catch {
    // not JSON: fall through
  }
  return { code: codeOfHttpStatus(status), message: body.trim().slice(0, 500), httpStatus: status };
}

export type Fetch = (input: string, init: RequestInit) => Promise<Response>;

export interface ApiClientOptions {
  base?: string; // "" (same origin) by default
  token: () => string; // read at each call: sign-in and sign-out change it
  fetch?: Fetch;
}

export class ApiClient {
  private readonly base: string;
  private readonly token: () => string;
  private readonly doFetch: Fetch;

  constructor(opts: ApiClientOptions) {
    this.base = opts.base ?? "";
    this.token = opts.token;
    this.doFetch = opts.fetch ?? ((i, r) => fetch(i, r));
  }

  headers(): Record<string, string> {
    const h: Record<string, string> = { Accept: "application/json" };
    const t = this.token();
    if (t !== "") h.Authorization = `Bearer ${t}`;
    return h;
  }

  url(service: Service, method: string, query?: URLSearchParams): string {
    const q = query && query.toString() !== "" ? `?${query.toString()}` : "";
    return `${this.base}/api/v1/${service}/${method}${q}`;
  }

  async call(service: Service, method: string, request: object = {}, signal?: AbortSignal): Promise<Result<unknown, ApiError>> {
    let response: Response;
    try {
      response = await this.doFetch(this.url(service, method), {
        method: "POST",
        headers: { ...this.headers(), "Content-Type": "application/json" },
        body: JSON.stringify(request),
        signal: signal ?? null,
      });
    } catch (e) {
      if (e instanceof DOMException && e.name === "AbortError") {
        return err({ code: "CANCELLED", message: "cancelled", httpStatus: 0 });
      }
      return err({ code: "UNAVAILABLE", message: `gateway unreachable: ${String(e)}`, httpStatus: 0 });
    }
    const text = await response.text().catch(() => "");
    if (!response.ok) return err(errorFromBody(response.status, text));
    if (text.trim() === "") return ok({});
    try {
      return ok(JSON.parse(text) as unknown);
    } catch {
      return err({ code: "INTERNAL", message: "the gateway's answer is not JSON", httpStatus: response.status });
    }
  }
}
