// A delivery's sign-off deadline as the duty room sees it: time left, or how long overdue.

export interface Countdown {
  overdue: boolean;
  text: string; // "4m 05s", "2h 03m", "1d 02h"; overdue: the time past the deadline
}

/** Formats a span of milliseconds (absolute value) at two units of precision. */
export function formatSpan(ms: number): string {
  const s = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const two = (n: number) => String(n).padStart(2, "0");
  if (d > 0) return `${d}d ${two(h)}h`;
  if (h > 0) return `${h}h ${two(m)}m`;
  return `${m}m ${two(sec)}s`;
}

/**
 * null when there is nothing to count down: no deadline, or the delivery no longer waits for a
 * sign-off (`signedOff`). At or after the deadline it is overdue.
 */
export function countdown(deadlineMs: number | null, nowMs: number, signedOff: boolean): Countdown | null {
  if (deadlineMs === null || signedOff) return null;
  const left = deadlineMs - nowMs;
  return { overdue: left <= 0, text: formatSpan(left) };
}

/** A latency (e.g. a Hop's since_previous) for a table: "850 ms", "12.3 s", else formatSpan. */
export function formatLatency(ms: number | null): string {
  if (ms === null) return "—";
  if (Math.abs(ms) < 1000) return `${ms} ms`;
  if (Math.abs(ms) < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return formatSpan(ms);
}
