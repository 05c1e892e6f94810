// The period report (supervision/Report): period (month, ISO week, day or range) and scope
// (everything visible, a jurisdiction prefix, or a unit with or without the units below), as
// figures, ECharts charts and tables, each table downloadable as CSV.
import { useCallback, useEffect, useMemo, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { useSession } from "../app/context";
import { useCall } from "../app/hooks";
import { navigate } from "../app/nav";
import { Chart } from "../components/Chart";
import { ErrorBox } from "../components/ErrorBox";
import { fmtTime } from "../components/format";
import { report, reportQueryFromUrl, reportQueryToUrl, type ReportQuery } from "../lib/calls";
import { countiesOption, latencyOption, precisionOption, slaOption } from "../lib/charts";
import { csvFileText, toCsv } from "../lib/csv";
import { periodOf, thisMonth, type PeriodKind } from "../lib/period";
import { reportTables, type Table } from "../lib/report";

type Scope = "all" | "jurisdiction" | "unit";

function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([csvFileText(text)], { type: "text/csv;charset=utf-8" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function TableView({ table, label, fileStem }: { table: Table; label: (k: string) => string; fileStem: string }) {
  const { t } = useTranslation();
  const header = table.columns.map((c) => label(`report.col.${c}`));
  return (
    <section className="report-table">
      <h3 id={`rt-${table.id}`}>{label(`report.table.${table.id}`)}</h3>
      <button type="button" onClick={() => download(`${fileStem}-${table.id}.csv`, toCsv(header, table.rows))} data-testid={`report-csv-${table.id}`}>
        {t("report.csv")}
      </button>
      <div className="scroll">
        <table data-testid={`report-table-${table.id}`} aria-labelledby={`rt-${table.id}`}>
          <thead>
            <tr>
              {header.map((h) => (
                <th key={h} scope="col">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {table.rows.map((row, i) => (
              <tr key={i}>
                {row.map((c, j) => (
                  <td key={j} className={typeof c === "number" ? "num" : ""}>
                    {c === null ? "—" : String(c)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export function ReportView({ query }: { query: URLSearchParams }) {
  const { t, i18n } = useTranslation();
  const { api, claims } = useSession();
  const fromUrl = reportQueryFromUrl(query);
  const [kind, setKind] = useState<PeriodKind>(fromUrl?.period?.includes("W") ? "week" : fromUrl?.period?.length === 10 ? "day" : "month");
  const [value, setValue] = useState(() => fromUrl?.period ?? thisMonth(Date.now()));
  const [since, setSince] = useState("");
  const [until, setUntil] = useState("");
  const [scope, setScope] = useState<Scope>(claims.unit !== "" ? "unit" : "all");
  const [prefix, setPrefix] = useState(claims.jurisdictions[0] ?? "");
  const [unitId, setUnitId] = useState(claims.unit);
  const [subs, setSubs] = useState(true);
  const [problem, setProblem] = useState("");
  const [stem, setStem] = useState("report");
  const [load, run] = useCall(useCallback((q: ReportQuery) => report(api, q), [api]));
  const key = query.toString();
  useEffect(() => {
    const q = reportQueryFromUrl(new URLSearchParams(key));
    if (q !== null) {
      setStem(`report-${q.period ?? "range"}`);
      void run(q);
    }
  }, [key, run]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const p = periodOf(kind, value, since, until);
    if (!p.ok) {
      setProblem(p.error);
      return;
    }
    setProblem("");
    const q: ReportQuery = { ...p.value };
    if (scope === "jurisdiction") q.jurisdictionPrefix = prefix.trim();
    if (scope === "unit") {
      q.unitId = unitId.trim();
      q.includeSubordinates = subs;
    }
    navigate(`/report?${reportQueryToUrl(q).toString()}`); // the effect above runs it
    if (reportQueryToUrl(q).toString() === key) void run(q); // same query again: run anyway
  };

  const r = load.state === "done" ? load.value : null;
  const tables = useMemo(() => (r === null ? [] : reportTables(r)), [r]);
  const charts = useMemo(
    () =>
      r === null
        ? null
        : {
            counties: countiesOption(r, t("report.chart.counties"), t("report.events")),
            latency: latencyOption(r, t("report.chart.latency")),
            sla: slaOption(r, t("report.chart.sla")),
            precision: precisionOption(r, t("report.chart.precision")),
          },
    [r, t],
  );
  const inputType = kind === "month" ? "month" : kind === "week" ? "week" : "date";

  return (
    <section aria-labelledby="report-h">
      <h1 id="report-h">{t("report.title")}</h1>
      <form onSubmit={submit} className="report-form" data-testid="report-form">
        <label>
          {t("report.period")}{" "}
          <select
            value={kind}
            onChange={(e) => {
              setKind(e.target.value as PeriodKind);
              setValue("");
            }}
            data-testid="report-period-kind"
          >
            <option value="month">{t("report.month")}</option>
            <option value="week">{t("report.week")}</option>
            <option value="day">{t("report.day")}</option>
            <option value="range">{t("report.range")}</option>
          </select>
        </label>
        {kind !== "range" ? (
          <input type={inputType} value={value} onChange={(e) => setValue(e.target.value)} placeholder={kind === "week" ? "2026-W45" : undefined} aria-label={t("report.period")} data-testid="report-period" />
        ) : (
          <>
            <label>
              {t("report.since")} <input type="datetime-local" value={since} onChange={(e) => setSince(e.target.value)} data-testid="report-since" />
            </label>
            <label>
              {t("report.until")} <input type="datetime-local" value={until} onChange={(e) => setUntil(e.target.value)} data-testid="report-until" />
            </label>
          </>
        )}
        <label>
          {t("report.scope")}{" "}
          <select value={scope} onChange={(e) => setScope(e.target.value as Scope)} data-testid="report-scope">
            <option value="all">{t("report.scopeAll")}</option>
            <option value="jurisdiction">{t("report.scopeJurisdiction")}</option>
            <option value="unit">{t("report.scopeUnit")}</option>
          </select>
        </label>
        {scope === "jurisdiction" && <input value={prefix} onChange={(e) => setPrefix(e.target.value)} aria-label={t("report.scopeJurisdiction")} data-testid="report-prefix" />}
        {scope === "unit" && (
          <>
            <input value={unitId} onChange={(e) => setUnitId(e.target.value)} aria-label={t("report.scopeUnit")} data-testid="report-unit" />
            <label className="check">
              <input type="checkbox" checked={subs} onChange={(e) => setSubs(e.target.checked)} data-testid="report-subordinates" /> {t("report.subordinates")}
            </label>
          </>
        )}
        <button type="submit" data-testid="report-run">
          {t("report.run")}
        </button>
      </form>
      {problem !== "" && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
      {load.state === "loading" && <p>{t("common.loading")}</p>}
      {load.state === "failed" && <ErrorBox error={load.error} testId="report-error" />}
      {r !== null && charts !== null && (
        <div data-testid="report-result">
          <p className="muted">{t("report.span", { since: fmtTime(r.since, i18n.language), until: fmtTime(r.until, i18n.language), offset: r.utcOffset || "?" })}</p>
          <dl className="figures" data-testid="report-figures">
            <div>
              <dt>{t("report.events")}</dt>
              <dd>{r.collection.events}</dd>
            </div>
            <div>
              <dt>{t("report.judgments")}</dt>
              <dd>{r.judgment.judgments}</dd>
            </div>
            <div>
              <dt>{t("report.confirmed")}</dt>
              <dd>{r.judgment.confirmed}</dd>
            </div>
            <div>
              <dt>{t("report.dismissed")}</dt>
              <dd>{r.judgment.dismissed}</dd>
            </div>
            <div>
              <dt>{t("report.unreviewed")}</dt>
              <dd>{r.judgment.unreviewed}</dd>
            </div>
            <div>
              <dt>{t("report.rejected")}</dt>
              <dd data-testid="report-rejected">{r.collection.rejected}</dd>
            </div>
            <div>
              <dt>{t("report.deadLettered")}</dt>
              <dd>{r.collection.deadLettered}</dd>
            </div>
          </dl>
          <div className="charts">
            <Chart option={charts.counties} label={t("report.chart.counties")} testId="report-chart-counties" />
            <Chart option={charts.latency} label={t("report.chart.latency")} testId="report-chart-latency" />
            <Chart option={charts.sla} label={t("report.chart.sla")} testId="report-chart-sla" />
            <Chart option={charts.precision} label={t("report.chart.precision")} testId="report-chart-precision" />
          </div>
          {tables.map((tb) => (
            <TableView key={tb.id} table={tb} label={(k) => t(k as never)} fileStem={stem} />
          ))}
        </div>
      )}
    </section>
  );
}
