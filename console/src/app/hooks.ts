// Small React glue: a ticking clock (countdowns, "new" highlights) and an async call's state.
import { useCallback, useEffect, useRef, useState } from "react";
import type { ApiError } from "../lib/api";
import type { Result } from "../lib/result";

/** The time, re-rendering every `ms` (a browser timer on the main thread; cleared on unmount). */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}

export type Load<T> = { state: "idle" } | { state: "loading" } | { state: "done"; value: T } | { state: "failed"; error: ApiError };

/** Runs `fn` on demand; an answer that arrives after a newer run (or unmount) is dropped. */
export function useCall<A extends unknown[], T>(fn: (...args: A) => Promise<Result<T, ApiError>>) {
  const [load, setLoad] = useState<Load<T>>({ state: "idle" });
  const run = useRef(0);
  useEffect(() => () => void (run.current += 1), []);
  const start = useCallback(
    async (...args: A): Promise<Result<T, ApiError>> => {
      const mine = ++run.current;
      setLoad({ state: "loading" });
      const r = await fn(...args);
      if (mine === run.current) setLoad(r.ok ? { state: "done", value: r.value } : { state: "failed", error: r.error });
      return r;
    },
    [fn],
  );
  return [load, start, setLoad] as const;
}
