// A supervisor's units: the units below them (dispatch/ListUnits) with pending/overdue counts
// (dispatch/ListDeliveries with include_subordinates), and the deliveries awaiting their
// decision (dispatch/Approve, dispatch/SendBack).
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { useSession } from "../app/context";
import { useCall, useNow } from "../app/hooks";
import { Link } from "../app/nav";
import { ErrorBox } from "../components/ErrorBox";
import { fmtTime } from "../components/format";
import type { ApiError } from "../lib/api";
import { approve, listAllDeliveries, listUnits, sendBack } from "../lib/calls";
import { awaitsApproval } from "../lib/inbox";
import type { Delivery } from "../lib/model";
import { paths } from "../lib/router";
import { countsByUnit, unitsBelow } from "../lib/units";

function Decision({ d, onDone }: { d: Delivery; onDone: () => void }) {
  const { t, i18n } = useTranslation();
  const { api } = useSession();
  const [note, setNote] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const decide = async (kind: "approve" | "sendBack") => {
    if (kind === "sendBack" && note.trim() === "") {
      setError({ code: "INVALID_ARGUMENT", message: t("sup.noteRequired"), httpStatus: 0 });
      return;
    }
    setBusy(true);
    const r = kind === "approve" ? await approve(api, d.unitId, d.seq, note) : await sendBack(api, d.unitId, d.seq, note);
    setBusy(false);
    if (r.ok) onDone();
    else setError(r.error);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void decide("approve");
  };
  return (
    <li data-testid="approval-item" data-delivery-id={d.deliveryId} data-unit-id={d.unitId} data-seq={d.seq}>
      <strong>{d.judgment.title || d.judgment.judgmentId}</strong> <span className="muted">{d.deliveryId}</span>
      {d.feedback !== null && (
        <p>
          {t("inbox.feedbackGiven", { outcome: t(`outcome.${d.feedback.outcome}`), by: d.feedback.givenBy })} · {fmtTime(d.feedback.givenAt, i18n.language)}
          {d.feedback.note !== "" && <> — “{d.feedback.note}”</>}
        </p>
      )}
      <form onSubmit={submit} data-testid="approval-form">
        <label>
          {t("sup.note")} <input value={note} onChange={(e) => setNote(e.target.value)} maxLength={4096} data-testid="approval-note" />
        </label>
        <button type="submit" disabled={busy} data-testid="approve">
          {t("sup.approve")}
        </button>
        <button type="button" disabled={busy} onClick={() => void decide("sendBack")} data-testid="send-back">
          {t("sup.sendBack")}
        </button>
      </form>
      {error !== null && <ErrorBox error={error} testId="approval-error" />}
    </li>
  );
}

export function SupervisorView() {
  const { t } = useTranslation();
  const { api, claims } = useSession();
  const root = claims.unit;
  const now = useNow(5000);
  const [units, loadUnits] = useCall(useCallback(() => listUnits(api), [api]));
  const [deliveries, loadDeliveries] = useCall(useCallback(() => listAllDeliveries(api, { unitId: root, includeSubordinates: true }), [api, root]));
  const refresh = useCallback(() => {
    void loadUnits();
    if (root !== "") void loadDeliveries();
  }, [loadUnits, loadDeliveries, root]);
  useEffect(refresh, [refresh]);

  const all = deliveries.state === "done" ? deliveries.value : [];
  const counts = countsByUnit(all, now);
  const below = units.state === "done" ? (root === "" ? units.value : unitsBelow(units.value, root)) : [];
  const waiting = all.filter(awaitsApproval);
  return (
    <section aria-labelledby="sup-h">
      <h1 id="sup-h">
        {t("sup.title")} {root !== "" && <span className="muted">({root})</span>}
      </h1>
      <button type="button" onClick={refresh} data-testid="supervisor-refresh">
        {t("sup.refresh")}
      </button>
      {units.state === "failed" && <ErrorBox error={units.error} testId="units-error" />}
      {deliveries.state === "failed" && <ErrorBox error={deliveries.error} testId="deliveries-error" />}
      {root === "" && <p className="muted">{t("inbox.noUnit")}</p>}
      <table data-testid="units-table">
        <thead>
          <tr>
            <th scope="col">{t("sup.unit")}</th>
            <th scope="col">{t("sup.name")}</th>
            <th scope="col">{t("sup.total")}</th>
            <th scope="col">{t("sup.pending")}</th>
            <th scope="col">{t("sup.overdue")}</th>
            <th scope="col">{t("sup.awaiting")}</th>
          </tr>
        </thead>
        <tbody>
          {below.map((u) => {
            const c = counts.get(u.unitId) ?? { total: 0, pending: 0, overdue: 0, awaitingApproval: 0 };
            return (
              <tr key={u.unitId} data-testid="unit-row" data-unit-id={u.unitId} data-pending={c.pending} data-overdue={c.overdue} className={c.overdue > 0 ? "overdue" : ""}>
                <td>
                  <Link href={paths.unit(u.unitId)}>{u.unitId}</Link>
                </td>
                <td>{u.name}</td>
                <td>{c.total}</td>
                <td>{c.pending}</td>
                <td>{c.overdue}</td>
                <td>{c.awaitingApproval}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <h2>{t("sup.approvals")}</h2>
      {waiting.length === 0 && <p className="muted">{t("sup.noApprovals")}</p>}
      <ul className="approvals" data-testid="approvals">
        {waiting.map((d) => (
          <Decision key={d.deliveryId} d={d} onDone={refresh} />
        ))}
      </ul>
    </section>
  );
}
