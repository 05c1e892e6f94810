// Hotspots: judgments per county and kind over time (judgment/ListJudgments, every page up to a
// bound), and events with coordinates on a lat/lon scatter: the judged events (the judgments'
// evidence carries the event's coordinates), or the events of a JSON-lines file picked in the
// browser.
import { useCallback, useEffect, useMemo, useState, type ChangeEvent, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { useSession } from "../app/context";
import { useCall } from "../app/hooks";
import { Chart } from "../components/Chart";
import { ErrorBox } from "../components/ErrorBox";
import { splitList } from "../components/format";
import { EMPTY_FILTER, listAllJudgments } from "../lib/calls";
import { hotspotOption, scatterOption } from "../lib/charts";
import { eventPoints, evidencePoints, hotspotChart, type BucketSize, type EventPoint } from "../lib/hotspots";
import { localToRfc3339 } from "../lib/period";

const dayInput = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function HotspotsView() {
  const { t } = useTranslation();
  const { api, claims } = useSession();
  const [since, setSince] = useState(() => dayInput(Date.now() - 30 * 86_400_000));
  const [until, setUntil] = useState("");
  const [prefixes, setPrefixes] = useState(claims.jurisdictions.join(", "));
  const [bucket, setBucket] = useState<BucketSize>("day");
  const [load, run] = useCall(
    useCallback(
      (s: string, u: string, p: string[]) =>
        listAllJudgments(api, { filter: { ...EMPTY_FILTER, jurisdictionPrefixes: p }, since: localToRfc3339(s) ?? undefined, until: localToRfc3339(u) ?? undefined }),
      [api],
    ),
  );
  const [points, setPoints] = useState<{ points: EventPoint[]; skipped: number } | null>(null);

  const load_ = () => void run(since === "" ? "" : `${since}T00:00`, until === "" ? "" : `${until}T00:00`, splitList(prefixes));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    load_();
  };
  useEffect(load_, []); // eslint-disable-line react-hooks/exhaustive-deps -- once, with the defaults
  const pick = async (e: ChangeEvent<HTMLInputElement>) => {
    const f = e.target.files?.[0];
    if (f) setPoints(eventPoints(await f.text()));
  };
  const chart = useMemo(() => (load.state === "done" ? hotspotChart(load.value.records, bucket) : null), [load, bucket]);
  const option = useMemo(() => (chart === null ? null : hotspotOption(chart, t("hotspots.title"))), [chart, t]);
  // A picked file wins over the judged events.
  const plotted = useMemo(
    () => points ?? (load.state === "done" ? { points: evidencePoints(load.value.records), skipped: 0 } : null),
    [points, load],
  );
  const scatter = useMemo(() => (plotted === null ? null : scatterOption(plotted.points, t("hotspots.events"))), [plotted, t]);

  return (
    <section aria-labelledby="hot-h">
      <h1 id="hot-h">{t("hotspots.title")}</h1>
      <form onSubmit={submit} className="inline-form" data-testid="hotspots-form">
        <label>
          {t("hotspots.since")} <input type="date" value={since} onChange={(e) => setSince(e.target.value)} data-testid="hotspots-since" />
        </label>
        <label>
          {t("hotspots.until")} <input type="date" value={until} onChange={(e) => setUntil(e.target.value)} data-testid="hotspots-until" />
        </label>
        <label>
          {t("filter.prefixes")} <input value={prefixes} onChange={(e) => setPrefixes(e.target.value)} data-testid="hotspots-prefixes" />
        </label>
        <label>
          {t("hotspots.bucket")}{" "}
          <select value={bucket} onChange={(e) => setBucket(e.target.value as BucketSize)}>
            <option value="day">{t("hotspots.day")}</option>
            <option value="hour">{t("hotspots.hour")}</option>
          </select>
        </label>
        <button type="submit" data-testid="hotspots-load">
          {t("hotspots.load")}
        </button>
      </form>
      {load.state === "loading" && <p>{t("common.loading")}</p>}
      {load.state === "failed" && <ErrorBox error={load.error} testId="hotspots-error" />}
      {load.state === "done" && option !== null && (
        <>
          <p className="muted" data-testid="hotspots-count" data-count={load.value.records.length}>
            {t("hotspots.count", { count: load.value.records.length })}
            {load.value.truncated && <> · {t("hotspots.truncated", { count: load.value.records.length })}</>}
          </p>
          <Chart option={option} height={360} label={t("hotspots.title")} testId="hotspots-chart" />
        </>
      )}
      <h2>{t("hotspots.events")}</h2>
      <p className="muted">{t("hotspots.eventsHint")}</p>
      <label>
        {t("hotspots.file")} <input type="file" accept=".jsonl,.json,.txt,application/json" onChange={(e) => void pick(e)} data-testid="hotspots-file" />
      </label>
      {plotted !== null && scatter !== null && (
        <>
          <p className="muted" data-testid="hotspots-points" data-count={plotted.points.length}>
            {t("hotspots.points", { count: plotted.points.length, skipped: plotted.skipped })}
          </p>
          <Chart option={scatter} height={420} label={t("hotspots.events")} testId="hotspots-scatter" />
        </>
      )}
    </section>
  );
}
