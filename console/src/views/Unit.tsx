// The duty room: a unit's inbox, live (dispatch/Subscribe from afterSeq=0) with current states
// (dispatch/ListDeliveries, on open, after each reconnect and every 30 s), deadlines counting
// down, and the Acknowledge and Feedback forms.
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { useSession } from "../app/context";
import { useNow } from "../app/hooks";
import { navigate } from "../app/nav";
import { ErrorBox } from "../components/ErrorBox";
import { StreamBadge } from "../components/StreamBadge";
import { fmtTime } from "../components/format";
import type { ApiError } from "../lib/api";
import { acknowledge, dispatchStreamQuery, feedback, listAllDeliveries } from "../lib/calls";
import { countdown } from "../lib/countdown";
import { addFromStream, awaitsSignOff, canGiveFeedback, isOverdue, mergeDeliveries, newestFirst, withAcknowledgement, withFeedback, type Inbox } from "../lib/inbox";
import { FEEDBACK_OUTCOMES, toDelivery, type Delivery, type FeedbackOutcome } from "../lib/model";
import { paths } from "../lib/router";
import { StreamReader, type StreamState } from "../lib/stream";

const REFRESH_MS = 30_000;

function DeliveryItem({ d, now, onChange }: { d: Delivery; now: number; onChange: (d: Delivery) => void }) {
  const { t, i18n } = useTranslation();
  const { api, claims } = useSession();
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<FeedbackOutcome | "">(""); // "": not chosen (the select is required)
  const [note, setNote] = useState("");
  const overdue = isOverdue(d, now);
  const cd = countdown(d.deadline, now, !awaitsSignOff(d));
  const j = d.judgment;

  const ack = async () => {
    setBusy(true);
    const r = await acknowledge(api, d.unitId, d.seq, claims.sub);
    setBusy(false);
    if (r.ok) {
      setError(null);
      onChange(withAcknowledgement(d, r.value));
    } else setError(r.error);
  };
  const sendFeedback = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    if (outcome === "") return;
    const r = await feedback(api, { unitId: d.unitId, seq: d.seq, outcome, note, givenBy: claims.sub });
    setBusy(false);
    if (r.ok) {
      setError(null);
      onChange(withFeedback(d, r.value));
    } else setError(r.error);
  };

  return (
    <li
      className={`delivery sev-${j.severity}${overdue ? " overdue" : ""}${d.escalatedFrom !== "" ? " escalated" : ""}`}
      data-testid="delivery-item"
      data-delivery-id={d.deliveryId}
      data-unit-id={d.unitId}
      data-seq={d.seq}
      data-status={d.status}
      data-overdue={overdue ? "true" : "false"}
      data-escalated-from={d.escalatedFrom || undefined}
    >
      <div className="delivery-head">
        <span className={`sev sev-${j.severity}`}>{t(`severity.${j.severity}`)}</span>
        <span className="tag status" data-testid="delivery-status">
          {t(`status.${d.status}`)}
        </span>
        <strong>{j.title || j.judgmentId}</strong>
        <span className="muted">
          {d.deliveryId} · {t("inbox.delivered")} {fmtTime(d.deliveredAt, i18n.language)}
        </span>
      </div>
      {j.summary !== "" && <p className="summary">{j.summary}</p>}
      <p className="deadline" data-testid="delivery-deadline">
        {t("inbox.deadline")}:{" "}
        {d.deadline === null ? (
          t("inbox.noDeadline")
        ) : (
          <>
            {fmtTime(d.deadline, i18n.language)}{" "}
            {cd !== null && (
              <strong className={cd.overdue ? "overdue-tag" : "left"}>{cd.overdue ? t("inbox.overdue", { time: cd.text }) : t("inbox.left", { time: cd.text })}</strong>
            )}
          </>
        )}
      </p>
      {d.escalatedFrom !== "" && (
        <p className="tag escalated-tag" data-testid="delivery-escalated">
          ⇧ {t("inbox.escalated", { from: d.escalatedFrom, level: d.escalationLevel })}
        </p>
      )}
      {d.reroutedFromUnit !== "" && (
        <p className="tag" data-testid="delivery-rerouted">
          ↪ {t("inbox.rerouted", { unit: d.reroutedFromUnit, reason: t(`reroute.${d.rerouteReason}`) })}
        </p>
      )}
      {d.sentBackCount > 0 && <p className="tag">{t("inbox.sentBack", { count: d.sentBackCount })}</p>}
      {d.acknowledgedAt !== null && <p>{t("inbox.acknowledged", { by: d.acknowledgedBy, at: fmtTime(d.acknowledgedAt, i18n.language) })}</p>}
      {d.feedback !== null && (
        <p>
          {t("inbox.feedbackGiven", { outcome: t(`outcome.${d.feedback.outcome}`), by: d.feedback.givenBy })}
          {d.feedback.note !== "" && <> — “{d.feedback.note}”</>}
        </p>
      )}
      {d.approval !== null && d.approval.status !== "APPROVAL_STATUS_UNSPECIFIED" && (
        <p>
          {t("inbox.approval", { status: t(`approval.${d.approval.status}`), by: d.approval.decidedBy })}
          {d.approval.note !== "" && <> — “{d.approval.note}”</>}
        </p>
      )}
      <div className="actions">
        {awaitsSignOff(d) && (
          <button type="button" onClick={() => void ack()} disabled={busy} data-testid="acknowledge">
            {t("inbox.acknowledge")}
          </button>
        )}
        {canGiveFeedback(d) && (
          <form className="feedback" onSubmit={(e) => void sendFeedback(e)} data-testid="feedback-form">
            <label>
              {t("inbox.outcome")}
              <select value={outcome} onChange={(e) => setOutcome(e.target.value as FeedbackOutcome | "")} required data-testid="feedback-outcome">
                {FEEDBACK_OUTCOMES.map((o) => (
                  <option key={o} value={o === "FEEDBACK_OUTCOME_UNSPECIFIED" ? "" : o} disabled={o === "FEEDBACK_OUTCOME_UNSPECIFIED"}>
                    {t(`outcome.${o}`)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t("judgment.note")}
              <input value={note} onChange={(e) => setNote(e.target.value)} maxLength={4096} data-testid="feedback-note" />
            </label>
            <button type="submit" disabled={busy} data-testid="feedback-submit">
              {t("inbox.send")}
            </button>
          </form>
        )}
      </div>
      {error !== null && <ErrorBox error={error} testId="delivery-error" />}
    </li>
  );
}

function UnitPicker() {
  const { t } = useTranslation();
  const [unit, setUnit] = useState("");
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (unit.trim() !== "") navigate(paths.unit(unit.trim()));
      }}
    >
      <p>{t("inbox.noUnit")}</p>
      <label>
        {t("inbox.unit")} <input value={unit} onChange={(e) => setUnit(e.target.value)} data-testid="inbox-unit" />
      </label>
      <button type="submit">{t("inbox.follow")}</button>
    </form>
  );
}

export function UnitView({ unitId }: { unitId: string }) {
  const { t } = useTranslation();
  const { api } = useSession();
  const [inbox, setInbox] = useState<Inbox>(new Map());
  const [state, setState] = useState<StreamState>({ kind: "connecting" });
  const [lastSeq, setLastSeq] = useState(0);
  const [listError, setListError] = useState<ApiError | null>(null);
  const now = useNow(1000);

  const refresh = useCallback(async () => {
    if (unitId === "") return;
    const r = await listAllDeliveries(api, { unitId });
    if (r.ok) {
      setListError(null);
      setInbox((m) => mergeDeliveries(m, r.value));
    } else setListError(r.error);
  }, [api, unitId]);

  useEffect(() => {
    setInbox(new Map());
    setLastSeq(0);
    if (unitId === "") return;
    const reader = new StreamReader<Delivery>({
      url: api.url("dispatch", "Subscribe", dispatchStreamQuery(unitId, 0)),
      afterSeq: 0,
      headers: () => api.headers(),
      parse: (data) => {
        try {
          return toDelivery(JSON.parse(data));
        } catch {
          return null;
        }
      },
      onMessage: (d, seq) => {
        setInbox((m) => addFromStream(m, d));
        setLastSeq(seq);
      },
      onState: (s) => {
        setState(s);
        if (s.kind === "live") void refresh(); // states may have moved while we were away
      },
    });
    reader.start();
    const timer = setInterval(() => void refresh(), REFRESH_MS);
    return () => {
      reader.stop();
      clearInterval(timer);
    };
  }, [api, unitId, refresh]);

  if (unitId === "") return <UnitPicker />;
  const list = newestFirst(inbox);
  const onChange = (d: Delivery) => setInbox((m) => mergeDeliveries(m, [d]));
  return (
    <section aria-labelledby="inbox-h">
      <h1 id="inbox-h">
        {t("inbox.title")}: <span data-testid="inbox-unit-id">{unitId}</span>
      </h1>
      <StreamBadge state={state} lastSeq={lastSeq} testId="inbox-stream-state" />
      {listError !== null && <ErrorBox error={listError} testId="inbox-error" />}
      {list.length === 0 && <p className="muted">{t("inbox.empty")}</p>}
      <ol className="inbox" data-testid="inbox" data-unit-id={unitId} data-count={list.length}>
        {list.map((d) => (
          <DeliveryItem key={d.deliveryId} d={d} now={now} onChange={onChange} />
        ))}
      </ol>
    </section>
  );
}
