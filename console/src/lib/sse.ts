// The stream bookkeeping of gateway-contract.md, "Streams": each SSE event carries `id: <seq>`;
// a reconnect sends `Last-Event-ID: <last seq seen>` so the server resumes right after it; an
// `event: error` (or an HTTP error before the stream starts) carries {code, message}, and the
// code says whether to retry. Pure: no timers and no I/O (the reader in stream.ts does those).

/** Whether a stream that ended with this gRPC code is worth reopening. */
export type ErrorAction = "retry" | "stop";

// Retried: the contract's "dropped connection or UNAVAILABLE"; also RESOURCE_EXHAUSTED (the
// judgment log cuts off a lagging subscriber, which "resumes with after_seq = the last seq")
// and the transient ones. Everything else (UNAUTHENTICATED, PERMISSION_DENIED,
// INVALID_ARGUMENT as the contract says, and NOT_FOUND, FAILED_PRECONDITION, UNIMPLEMENTED...)
// would only fail again: stopped and shown.
const RETRIED = new Set(["UNAVAILABLE", "RESOURCE_EXHAUSTED", "DEADLINE_EXCEEDED", "ABORTED", "INTERNAL", "UNKNOWN", "CANCELLED"]);

export function actionFor(code: string): ErrorAction {
  return RETRIED.has(code) ? "retry" : "stop";
}

export class ResumeTracker {
  private last: number;

  /** `afterSeq`: where the first connection starts (the request's after_seq). */
  constructor(afterSeq = 0) {
    this.last = afterSeq;
  }

  get lastSeq(): number {
    return this.last;
  }

  /** The request headers for the next connection: Last-Event-ID once something was seen. */
  resumeHeaders(): Record<string, string> {
    return this.last > 0 ? { "Last-Event-ID": String(this.last) } : {};
  }

  /**
   * Whether a message with this SSE id (its seq) is new: seqs only increase, so anything at or
   * below the last one seen is a repeat and is dropped. An id that is not a seq is taken.
   */
  accept(id: string): boolean {
    if (!/^\d+$/.test(id)) return true;
    const seq = Number(id);
    if (seq <= this.last) return false;
    this.last = seq;
    return true;
  }
}

/** Reconnect delay: 1 s, doubling per consecutive failure, at most 30 s. */
export function backoffMs(failures: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, failures - 1));
}

export interface StreamErrorBody {
  code: string;
  message: string;
}

/** The data of an `event: error`: {"code":"…","message":"…"}; anything else reads as UNKNOWN. */
export function parseErrorEvent(data: string): StreamErrorBody {
  try {
    const o = JSON.parse(data) as Record<string, unknown>;
    if (typeof o.code === "string") return { code: o.code, message: typeof o.message === "string" ? o.message : "" };
  } catch {
    // fall through
  }
  return { code: "UNKNOWN", message: data };
}
