// The analyst's live judgment stream (judgment/Subscribe over SSE), filtered, newest first.
import { useEffect, useRef, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { useSession } from "../app/context";
import { Link } from "../app/nav";
import { useNow } from "../app/hooks";
import { StreamBadge } from "../components/StreamBadge";
import { fmtTime, splitList } from "../components/format";
import { EMPTY_FILTER, judgmentStreamQuery, type JudgmentFilter } from "../lib/calls";
import { JUDGMENT_KINDS, SEVERITIES, toJudgmentRecord, type JudgmentKind, type JudgmentRecord, type Severity } from "../lib/model";
import { paths } from "../lib/router";
import { StreamReader, type StreamState } from "../lib/stream";
import { isHighlighted, upsert, type FeedItem } from "../lib/feed";

function FilterForm({ value, onApply }: { value: JudgmentFilter; onApply: (f: JudgmentFilter) => void }) {
  const { t } = useTranslation();
  const [min, setMin] = useState<Severity>(value.minSeverity);
  const [kinds, setKinds] = useState<JudgmentKind[]>(value.kinds);
  const [rules, setRules] = useState(value.ruleIds.join(", "));
  const [prefixes, setPrefixes] = useState(value.jurisdictionPrefixes.join(", "));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply({ minSeverity: min, kinds, ruleIds: splitList(rules), jurisdictionPrefixes: splitList(prefixes) });
  };
  return (
    <form className="filters" onSubmit={submit} data-testid="judgment-filter">
      <fieldset>
        <legend>{t("filter.title")}</legend>
        <label>
          {t("filter.minSeverity")}
          <select value={min} onChange={(e) => setMin(e.target.value as Severity)} data-testid="filter-min-severity">
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s === "SEVERITY_UNSPECIFIED" ? t("filter.any") : t(`severity.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <fieldset className="kinds">
          <legend>{t("filter.kinds")}</legend>
          {JUDGMENT_KINDS.filter((k) => k !== "JUDGMENT_KIND_UNSPECIFIED").map((k) => (
            <label key={k} className="check">
              <input
                type="checkbox"
                checked={kinds.includes(k)}
                onChange={(e) => setKinds(e.target.checked ? [...kinds, k] : kinds.filter((x) => x !== k))}
                data-testid={`filter-kind-${k}`}
              />
              {t(`kind.${k}`)}
            </label>
          ))}
        </fieldset>
        <label>
          {t("filter.ruleIds")}
          <input value={rules} onChange={(e) => setRules(e.target.value)} data-testid="filter-rule-ids" />
        </label>
        <label>
          {t("filter.prefixes")}
          <input value={prefixes} onChange={(e) => setPrefixes(e.target.value)} data-testid="filter-prefixes" />
        </label>
        <button type="submit" data-testid="filter-apply">
          {t("filter.apply")}
        </button>
      </fieldset>
    </form>
  );
}

export function JudgmentRow({ record, fresh }: { record: JudgmentRecord; fresh: boolean }) {
  const { t, i18n } = useTranslation();
  const j = record.judgment;
  return (
    <li
      className={`judgment sev-${j.severity}${fresh ? " fresh" : ""}`}
      data-testid="judgment-item"
      data-judgment-id={j.judgmentId}
      data-seq={record.seq}
      data-severity={j.severity}
      data-fresh={fresh ? "true" : "false"}
    >
      <span className={`sev sev-${j.severity}`}>{t(`severity.${j.severity}`)}</span>
      <span className="kind">{t(`kind.${j.kind}`)}</span>
      <Link href={paths.judgment(j.judgmentId)} className="title" data-testid="judgment-link">
        {j.title || j.judgmentId}
      </Link>
      <span className="muted">
        {j.ruleId} v{j.ruleVersion} · {j.jurisdictionCode} · {fmtTime(j.createdAt, i18n.language)} · #{record.seq}
      </span>
      {j.review !== null && j.review.status !== "REVIEW_STATUS_UNSPECIFIED" && <span className="tag">{t(`review.${j.review.status}`)}</span>}
    </li>
  );
}

export function AnalystView() {
  const { t } = useTranslation();
  const { api } = useSession();
  const [filter, setFilter] = useState<JudgmentFilter>(EMPTY_FILTER);
  const [items, setItems] = useState<FeedItem[]>([]);
  const [state, setState] = useState<StreamState>({ kind: "connecting" });
  const [lastSeq, setLastSeq] = useState(0);
  const openedAt = useRef(0);
  const now = useNow(1000);

  // One stream per filter: a new filter starts over from the beginning of the log.
  useEffect(() => {
    setItems([]);
    setLastSeq(0);
    const reader = new StreamReader<JudgmentRecord>({
      url: api.url("judgment", "Subscribe", judgmentStreamQuery(filter, 0)),
      afterSeq: 0,
      headers: () => api.headers(),
      parse: (data) => {
        try {
          return toJudgmentRecord(JSON.parse(data));
        } catch {
          return null;
        }
      },
      onMessage: (record, seq) => {
        const at = Date.now();
        setItems((xs) => upsert(xs, record, at, openedAt.current));
        setLastSeq(seq);
      },
      onState: (s) => {
        if (s.kind === "live") openedAt.current = Date.now();
        setState(s);
      },
    });
    reader.start();
    return () => reader.stop();
  }, [api, filter]);

  return (
    <section aria-labelledby="stream-h">
      <h1 id="stream-h">{t("judgments.title")}</h1>
      <FilterForm value={filter} onApply={setFilter} />
      <StreamBadge state={state} lastSeq={lastSeq} testId="judgment-stream-state" />
      {items.length === 0 && <p className="muted">{t("judgments.empty")}</p>}
      <ol className="judgments" data-testid="judgment-stream" data-count={items.length} aria-live="polite" aria-relevant="additions">
        {items.map((x) => (
          <JudgmentRow key={x.record.judgment.judgmentId} record={x.record} fresh={isHighlighted(x, now)} />
        ))}
      </ol>
    </section>
  );
}
