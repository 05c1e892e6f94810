// Reads one server-streaming RPC through the gateway's SSE (gateway-contract.md, "Streams"):
// fetch-based (the token goes in a header, which EventSource cannot send), reconnecting itself
// with Last-Event-ID and a backoff, dropping repeats, and reporting a state for the screen.
// Runs on the browser's main thread: the reader is an async fetch loop, the reconnect a timer;
// stop() aborts both. One StreamReader per open stream; not reusable after stop().
import { fetchEventSource, type EventSourceMessage, type FetchEventSourceInit } from "@microsoft/fetch-event-source";
import { errorFromBody } from "./api";
import { actionFor, backoffMs, parseErrorEvent, ResumeTracker, type StreamErrorBody } from "./sse";

export type StreamState =
  | { kind: "connecting" }
  | { kind: "live" }
  | { kind: "reconnecting"; attempt: number; inMs: number; code: string; message: string }
  | { kind: "refused"; code: string; message: string }
  | { kind: "closed" };

export type Opener = (url: string, init: FetchEventSourceInit) => Promise<void>;

export interface StreamOptions<T> {
  url: string; // with the request in the query, after_seq included
  afterSeq: number; // the same after_seq, where the bookkeeping starts
  headers: () => Record<string, string>; // Authorization, read at each (re)connection
  parse: (data: string) => T | null; // null: ignored
  onMessage: (item: T, seq: number) => void;
  onState: (state: StreamState) => void;
  open?: Opener; // fetchEventSource; a fake in tests
  schedule?: (fn: () => void, ms: number) => unknown; // setTimeout; a fake in tests
  cancel?: (handle: unknown) => void;
}

class StreamEnd extends Error {
  constructor(readonly body: StreamErrorBody) {
    super(`${body.code}: ${body.message}`);
  }
}

export class StreamReader<T> {
  private readonly tracker: ResumeTracker;
  private readonly open: Opener;
  private readonly schedule: (fn: () => void, ms: number) => unknown;
  private readonly cancel: (handle: unknown) => void;
  private controller: AbortController | null = null;
  private timer: unknown = null;
  private failures = 0;
  private stopped = false;

  constructor(private readonly opts: StreamOptions<T>) {
    this.tracker = new ResumeTracker(opts.afterSeq);
    this.open = opts.open ?? fetchEventSource;
    this.schedule = opts.schedule ?? ((fn, ms) => setTimeout(fn, ms));
    this.cancel = opts.cancel ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  }

  get lastSeq(): number {
    return this.tracker.lastSeq;
  }

  start(): void {
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.controller?.abort();
    if (this.timer !== null) this.cancel(this.timer);
    this.timer = null;
    this.opts.onState({ kind: "closed" });
  }

  // After stop() nothing more reaches the screen, even from a connection still settling.
  private emit(state: StreamState): void {
    if (!this.stopped) this.opts.onState(state);
  }

  private async connect(): Promise<void> {
    this.timer = null;
    if (this.stopped) return;
    const controller = new AbortController();
    this.controller = controller;
    if (this.failures === 0) this.emit({ kind: "connecting" });
    let ended: StreamErrorBody = { code: "UNAVAILABLE", message: "the stream ended" };
    try {
      await this.open(this.opts.url, {
        signal: controller.signal,
        headers: { ...this.opts.headers(), ...this.tracker.resumeHeaders() }, // the library adds accept
        openWhenHidden: true, // keep reading in a background tab: the duty room's inbox must stay live
        onopen: async (response: Response) => {
          const type = response.headers.get("content-type") ?? "";
          if (this.stopped) throw new StreamEnd({ code: "CANCELLED", message: "stopped" });
          if (response.ok && type.startsWith("text/event-stream")) {
            this.failures = 0;
            this.emit({ kind: "live" });
            return;
          }
          const text = await response.text().catch(() => "");
          const e = errorFromBody(response.status, text);
          throw new StreamEnd(response.ok ? { code: "INTERNAL", message: `not an event stream: ${type}` } : e);
        },
        onmessage: (ev: EventSourceMessage) => {
          if (this.stopped) return;
          if (ev.event === "error") throw new StreamEnd(parseErrorEvent(ev.data));
          if (ev.event !== "" && ev.event !== "message") return;
          if (ev.data === "") return;
          if (!this.tracker.accept(ev.id)) return;
          const item = this.opts.parse(ev.data);
          if (item !== null) this.opts.onMessage(item, this.tracker.lastSeq);
        },
        onclose: () => {
          throw new StreamEnd({ code: "UNAVAILABLE", message: "the gateway closed the stream" });
        },
        onerror: (e: unknown) => {
          throw e; // never the library's own retry: this class reconnects, with its own headers
        },
      });
      if (this.stopped || controller.signal.aborted) return;
    } catch (e) {
      if (this.stopped) return;
      ended = e instanceof StreamEnd ? e.body : { code: "UNAVAILABLE", message: String(e) };
    }
    if (actionFor(ended.code) === "stop") {
      this.emit({ kind: "refused", code: ended.code, message: ended.message });
      return;
    }
    this.failures += 1;
    const inMs = backoffMs(this.failures);
    this.emit({ kind: "reconnecting", attempt: this.failures, inMs, code: ended.code, message: ended.message });
    this.timer = this.schedule(() => void this.connect(), inMs);
  }
}
