// An item's trace (supervision/Trace) by event (source id + event id), trace id or judgment id:
// collected events, then per judgment a timeline of hops with their latency, and what is missing.
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { useSession } from "../app/context";
import { useCall } from "../app/hooks";
import { Link, navigate } from "../app/nav";
import { ErrorBox } from "../components/ErrorBox";
import { fmtTime } from "../components/format";
import { trace, traceItemOf as itemOf, type TraceItem } from "../lib/calls";
import { formatLatency } from "../lib/countdown";
import { paths } from "../lib/router";

type By = TraceItem["by"];

export function TraceView({ query }: { query: URLSearchParams }) {
  const { t, i18n } = useTranslation();
  const { api } = useSession();
  const item = itemOf(query);
  const [by, setBy] = useState<By>(item?.by ?? "event");
  const [sourceId, setSourceId] = useState(query.get("sourceId") ?? "");
  const [eventId, setEventId] = useState(query.get("eventId") ?? "");
  const [traceId, setTraceId] = useState(query.get("traceId") ?? "");
  const [judgmentId, setJudgmentId] = useState(query.get("judgmentId") ?? "");
  const [load, run] = useCall(useCallback((i: TraceItem) => trace(api, i), [api]));
  const key = query.toString();
  useEffect(() => {
    const i = itemOf(new URLSearchParams(key));
    if (i !== null) void run(i);
  }, [key, run]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const q: Record<string, string> = by === "event" ? { sourceId: sourceId.trim(), eventId: eventId.trim() } : by === "traceId" ? { traceId: traceId.trim() } : { judgmentId: judgmentId.trim() };
    navigate(paths.trace(q));
  };
  const time = (ms: number | null) => fmtTime(ms, i18n.language);

  return (
    <section aria-labelledby="trace-h">
      <h1 id="trace-h">{t("trace.title")}</h1>
      <form onSubmit={submit} className="trace-form" data-testid="trace-form">
        <fieldset>
          <legend>{t("trace.by")}</legend>
          {(["event", "traceId", "judgmentId"] as const).map((b) => (
            <label key={b} className="check">
              <input type="radio" name="by" value={b} checked={by === b} onChange={() => setBy(b)} data-testid={`trace-by-${b}`} />
              {t(b === "event" ? "trace.byEvent" : b === "traceId" ? "trace.byTrace" : "trace.byJudgment")}
            </label>
          ))}
        </fieldset>
        {by === "event" && (
          <>
            <label>
              {t("trace.sourceId")} <input value={sourceId} onChange={(e) => setSourceId(e.target.value)} required data-testid="trace-source-id" />
            </label>
            <label>
              {t("trace.eventId")} <input value={eventId} onChange={(e) => setEventId(e.target.value)} required data-testid="trace-event-id" />
            </label>
          </>
        )}
        {by === "traceId" && (
          <label>
            {t("trace.traceId")} <input value={traceId} onChange={(e) => setTraceId(e.target.value)} required data-testid="trace-trace-id" />
          </label>
        )}
        {by === "judgmentId" && (
          <label>
            {t("trace.judgmentId")} <input value={judgmentId} onChange={(e) => setJudgmentId(e.target.value)} required data-testid="trace-judgment-id" />
          </label>
        )}
        <button type="submit" data-testid="trace-submit">
          {t("trace.go")}
        </button>
      </form>
      {load.state === "loading" && <p>{t("common.loading")}</p>}
      {load.state === "failed" && <ErrorBox error={load.error} testId="trace-error" />}
      {load.state === "done" && (
        <div data-testid="trace-result">
          {load.value.missing.length > 0 && (
            <ul className="missing" data-testid="trace-missing-item">
              {load.value.missing.map((m) => (
                <li key={m}>⚠ {m}</li>
              ))}
            </ul>
          )}
          {load.value.events.length > 0 && (
            <>
              <h2>{t("trace.events")}</h2>
              <ul>
                {load.value.events.map((e) => (
                  <li key={`${e.sourceId}/${e.eventId}`} data-event-id={e.eventId} data-trace-id={e.traceId}>
                    <span className="mono">
                      {e.sourceId}/{e.eventId}
                    </span>{" "}
                    · {e.kind} · {e.jurisdictionCode || e.countyCode} · {time(e.ingestedAt)} · <span className="mono">{e.traceId}</span> · {e.judged ? t("trace.judged") : t("trace.notJudged")}
                  </li>
                ))}
              </ul>
            </>
          )}
          {load.value.judgments.map((j) => (
            <article key={j.judgmentId} className="trace-judgment" data-judgment-id={j.judgmentId} data-state={j.state}>
              <h2>
                <span className={`sev sev-${j.severity}`}>{t(`severity.${j.severity}`)}</span>{" "}
                <Link href={paths.judgment(j.judgmentId)} className="mono">
                  {j.judgmentId}
                </Link>
              </h2>
              <p>
                {j.ruleId} v{j.ruleVersion} · {t(`kind.${j.kind}`)} · {j.jurisdictionCode} · {t("trace.state")}: <strong>{t(`state.${j.state}`)}</strong>
                {j.overdue && <strong className="overdue-tag"> · {t("sup.overdue")}</strong>}
                {j.needsApproval && <> · {t("judgment.needsApproval")}</>}
              </p>
              <ol className="timeline" data-testid="trace-timeline" data-judgment-id={j.judgmentId}>
                {j.hops.map((h, i) => (
                  <li key={i} data-testid="trace-hop" data-kind={h.kind}>
                    <span className="hop-kind">{t(`hop.${h.kind}`)}</span>
                    <time>{time(h.at)}</time>
                    <span className="latency" title={t("trace.latency")}>
                      +{formatLatency(h.sincePreviousMs)}
                    </span>
                    <span className="mono">{h.what}</span>
                    {h.by !== "" && <span>· {h.by}</span>}
                    {h.detail !== "" && <span className="muted">· {h.detail}</span>}
                  </li>
                ))}
              </ol>
              <h3>{t("trace.missing")}</h3>
              {j.missing.length === 0 ? (
                <p className="muted">{t("trace.nothingMissing")}</p>
              ) : (
                <ul className="missing" data-testid="trace-missing">
                  {j.missing.map((m) => (
                    <li key={m}>⚠ {m}</li>
                  ))}
                </ul>
              )}
            </article>
          ))}
          {load.value.accesses.length > 0 && (
            <>
              <h2>{t("trace.accesses")}</h2>
              <table className="accesses" data-testid="trace-accesses">
                <thead>
                  <tr>
                    <th>{t("trace.at")}</th>
                    <th>{t("trace.who")}</th>
                    <th>{t("trace.method")}</th>
                    <th>{t("trace.item")}</th>
                    <th>{t("trace.decision")}</th>
                    <th>{t("trace.reason")}</th>
                  </tr>
                </thead>
                <tbody>
                  {load.value.accesses.map((a) => (
                    <tr key={a.auditId} data-testid="trace-access" data-decision={a.decision}>
                      <td>{time(a.at)}</td>
                      <td className="mono">{a.subject}</td>
                      <td className="mono">{a.method}</td>
                      <td className="mono">
                        {a.itemKind} {a.itemId}
                      </td>
                      <td>{a.decision.replace("AUDIT_DECISION_", "").toLowerCase()}</td>
                      <td>{a.reason}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {load.value.accessesNotShown > 0 && <p className="muted">{t("trace.accessesOlder", { count: load.value.accessesNotShown })}</p>}
            </>
          )}
        </div>
      )}
    </section>
  );
}
