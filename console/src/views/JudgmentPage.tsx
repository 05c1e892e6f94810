// One judgment (judgment/GetJudgment): rule, severity, kind, evidence events, its deliveries
// (supervision/Trace, a supervisor's or an analyst's call: for others, said to be not visible)
// and the review.
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { useSession } from "../app/context";
import { useCall } from "../app/hooks";
import { Link } from "../app/nav";
import { ErrorBox } from "../components/ErrorBox";
import { fmtTime } from "../components/format";
import { getJudgment, review, trace, type JudgmentTrace } from "../lib/calls";
import type { ApiError } from "../lib/api";
import type { JudgmentRecord } from "../lib/model";
import { paths } from "../lib/router";
import { formatLatency } from "../lib/countdown";

function Deliveries({ judgmentId }: { judgmentId: string }) {
  const { t, i18n } = useTranslation();
  const { api, views } = useSession();
  const [load, run] = useCall(useCallback((id: string) => trace(api, { by: "judgmentId", judgmentId: id }), [api]));
  // Supervision answers a trace to supervisors and analysts (each sees what their labels allow).
  const canSee = views.includes("supervisor") || views.includes("analyst");
  useEffect(() => {
    if (canSee) void run(judgmentId);
  }, [canSee, judgmentId, run]);
  if (!canSee) return <p className="muted" data-testid="deliveries-hidden">{t("judgment.deliveriesHidden")}</p>;
  if (load.state === "failed")
    return (
      <p className="muted" data-testid="deliveries-hidden" data-code={load.error.code}>
        {t("judgment.deliveriesRefused", { code: load.error.code, message: load.error.message })}
      </p>
    );
  if (load.state !== "done") return <p className="muted">{t("common.loading")}</p>;
  const jt: JudgmentTrace | undefined = load.value.judgments.find((j) => j.judgmentId === judgmentId) ?? load.value.judgments[0];
  if (jt === undefined) return <p className="muted">{load.value.missing.join("; ") || t("common.none")}</p>;
  return (
    <>
      <p>
        {t("trace.state")}: <strong data-testid="judgment-state">{t(`state.${jt.state}`)}</strong> ·{" "}
        <Link href={paths.trace({ judgmentId })}>{t("judgment.traceLink")}</Link>
      </p>
      <table data-testid="judgment-deliveries">
        <thead>
          <tr>
            <th scope="col">{t("inbox.unit")}</th>
            <th scope="col">{t("inbox.delivered")}</th>
            <th scope="col">{t("inbox.deadline")}</th>
            <th scope="col">{t("inbox.signedOff")}</th>
            <th scope="col">{t("inbox.feedback")}</th>
            <th scope="col">{t("inbox.escalatedTo")}</th>
          </tr>
        </thead>
        <tbody>
          {jt.deliveries.map((d) => (
            <tr key={d.deliveryId} data-delivery-id={d.deliveryId} className={d.overdue ? "overdue" : ""}>
              <td>{d.deliveryId}</td>
              <td>{fmtTime(d.deliveredAt, i18n.language)}</td>
              <td>
                {fmtTime(d.deadline, i18n.language)}
                {d.overdue && <span className="tag overdue-tag"> {t("sup.overdue")}</span>}
              </td>
              <td>{d.acknowledgedAt === null ? "—" : `${d.acknowledgedBy} ${fmtTime(d.acknowledgedAt, i18n.language)} (${formatLatency(d.deliveredAt === null ? null : d.acknowledgedAt - d.deliveredAt)})`}</td>
              <td>{d.feedback === null ? "—" : `${t(`outcome.${d.feedback.outcome}`)} · ${d.feedback.givenBy}`}</td>
              <td>{d.escalatedTo || "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function ReviewForm({ record, onDone }: { record: JudgmentRecord; onDone: (r: JudgmentRecord) => void }) {
  const { t, i18n } = useTranslation();
  const { api, claims, views } = useSession();
  const [note, setNote] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const rv = record.judgment.review;
  const send = async (status: "REVIEW_STATUS_CONFIRMED" | "REVIEW_STATUS_DISMISSED") => {
    setBusy(true);
    const r = await review(api, { judgmentId: record.judgment.judgmentId, status, note, reviewer: claims.sub });
    setBusy(false);
    if (r.ok) {
      setError(null);
      onDone(r.value);
    } else setError(r.error);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void send("REVIEW_STATUS_CONFIRMED"); // Enter confirms; Dismiss is its own button
  };
  return (
    <section aria-labelledby="review-h">
      <h2 id="review-h">{t("judgment.review")}</h2>
      <p data-testid="review-status" data-status={rv?.status ?? "REVIEW_STATUS_UNSPECIFIED"}>
        {rv === null || rv.status === "REVIEW_STATUS_UNSPECIFIED"
          ? t("judgment.notReviewed")
          : t("judgment.reviewed", { status: t(`review.${rv.status}`), reviewer: rv.reviewer, at: fmtTime(rv.reviewedAt, i18n.language) })}
        {rv !== null && rv.note !== "" && <> — “{rv.note}”</>}
      </p>
      {views.includes("analyst") && (
        <form onSubmit={submit} data-testid="review-form">
          <label>
            {t("judgment.note")}
            <input value={note} onChange={(e) => setNote(e.target.value)} maxLength={4096} data-testid="review-note" />
          </label>
          <button type="submit" disabled={busy} data-testid="review-confirm">
            {t("judgment.confirm")}
          </button>
          <button type="button" disabled={busy} onClick={() => void send("REVIEW_STATUS_DISMISSED")} data-testid="review-dismiss">
            {t("judgment.dismiss")}
          </button>
        </form>
      )}
      {error !== null && <ErrorBox error={error} testId="review-error" />}
    </section>
  );
}

export function JudgmentPage({ judgmentId }: { judgmentId: string }) {
  const { t, i18n } = useTranslation();
  const { api } = useSession();
  const [load, run, setLoad] = useCall(useCallback((id: string) => getJudgment(api, id), [api]));
  useEffect(() => {
    void run(judgmentId);
  }, [judgmentId, run]);
  const back = (
    <p>
      <Link href={paths.analyst()}>← {t("judgment.back")}</Link>
    </p>
  );
  if (load.state === "failed")
    return (
      <>
        {back}
        <ErrorBox error={load.error} testId="judgment-error" />
      </>
    );
  if (load.state !== "done") return <p>{t("common.loading")}</p>;
  const record = load.value;
  const j = record.judgment;
  const time = (ms: number | null) => fmtTime(ms, i18n.language);
  return (
    <article data-testid="judgment-page" data-judgment-id={j.judgmentId} data-seq={record.seq}>
      {back}
      <h1>
        <span className={`sev sev-${j.severity}`}>{t(`severity.${j.severity}`)}</span> {j.title || j.judgmentId}
      </h1>
      {j.summary !== "" && <p>{j.summary}</p>}
      <dl className="facts">
        <dt>{t("judgment.id")}</dt>
        <dd className="mono">{j.judgmentId}</dd>
        <dt>{t("judgment.rule")}</dt>
        <dd data-testid="judgment-rule">
          {j.ruleId} ({t("judgment.version")} {j.ruleVersion})
        </dd>
        <dt>{t("judgment.kind")}</dt>
        <dd>{t(`kind.${j.kind}`)}</dd>
        <dt>{t("judgment.classification")}</dt>
        <dd>{j.classification.replace("CLASSIFICATION_", "")}</dd>
        <dt>{t("judgment.jurisdiction")}</dt>
        <dd>{j.jurisdictionCode}</dd>
        <dt>{t("judgment.created")}</dt>
        <dd>{time(j.createdAt)}</dd>
        <dt>{t("judgment.window")}</dt>
        <dd>
          {time(j.windowStart)} – {time(j.windowEnd)}
        </dd>
        <dt>{t("judgment.subjects")}</dt>
        <dd>{j.subjects.map((s) => `${s.type.replace("SUBJECT_TYPE_", "")}:${s.value}`).join(", ") || "—"}</dd>
        <dt>{t("judgment.groupKey")}</dt>
        <dd className="mono">{j.groupKey || "—"}</dd>
        <dt>{t("judgment.evidenceCount")}</dt>
        <dd>{j.evidenceCount}</dd>
        <dt>{t("judgment.needsApproval")}</dt>
        <dd>{j.needsApproval ? "✓" : "—"}</dd>
        <dt>{t("judgment.compartments")}</dt>
        <dd>{j.compartments.join(", ") || "—"}</dd>
      </dl>
      <h2>{t("judgment.evidence")}</h2>
      <table data-testid="judgment-evidence">
        <thead>
          <tr>
            <th scope="col">{t("evidence.source")}</th>
            <th scope="col">{t("evidence.event")}</th>
            <th scope="col">{t("evidence.kind")}</th>
            <th scope="col">{t("evidence.county")}</th>
            <th scope="col">{t("judgment.jurisdiction")}</th>
            <th scope="col">{t("evidence.occurred")}</th>
            <th scope="col">{t("evidence.ingested")}</th>
            <th scope="col">{t("judgment.classification")}</th>
            <th scope="col">{t("evidence.trace")}</th>
          </tr>
        </thead>
        <tbody>
          {j.evidence.map((e) => (
            <tr key={`${e.sourceId}/${e.eventId}`} data-event-id={e.eventId} data-trace-id={e.traceId}>
              <td>{e.sourceId}</td>
              <td className="mono">{e.eventId}</td>
              <td>{e.kind}</td>
              <td>{e.countyCode}</td>
              <td>{e.jurisdictionCode}</td>
              <td>{time(e.occurredAt)}</td>
              <td>{time(e.ingestedAt)}</td>
              <td>{e.classification.replace("CLASSIFICATION_", "")}</td>
              <td className="mono">{e.traceId}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>{t("judgment.deliveries")}</h2>
      <Deliveries judgmentId={j.judgmentId} />
      <ReviewForm record={record} onDone={(r) => setLoad({ state: "done", value: r })} />
    </article>
  );
}
