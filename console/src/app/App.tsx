// The shell: signs in (pasted token, or #token= in the URL), shows who is signed in and the
// role's views, switches language, and renders the route's view.
import { lazy, Suspense, useEffect, useMemo, useRef, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { ApiClient } from "../lib/api";
import { decodeClaims, viewsFor, type Claims } from "../lib/jwt";
import { homeFor, parseRoute, paths, viewsOf } from "../lib/router";
import { clearToken, fragmentWithoutToken, loadToken, saveToken, tokenFromFragment } from "../lib/session";
import { LANGUAGE_KEY, type Language } from "../i18n";
import { SessionContext, type Session } from "./context";
import { Link, navigate, useLocation } from "./nav";
import { AnalystView } from "../views/Analyst";
import { JudgmentPage } from "../views/JudgmentPage";
import { UnitView } from "../views/Unit";
import { SupervisorView } from "../views/Supervisor";
import { TraceView } from "../views/Trace";
import { fmtTime } from "../components/format";
import { ErrorBoundary } from "../components/ErrorBoundary";

// The two chart views load ECharts: fetched on first use, so the duty room's page stays small.
const HotspotsView = lazy(() => import("../views/Hotspots").then((m) => ({ default: m.HotspotsView })));
const ReportView = lazy(() => import("../views/Report").then((m) => ({ default: m.ReportView })));

function initialToken(): string {
  const fromFragment = tokenFromFragment(location.hash);
  if (fromFragment !== null) {
    saveToken(sessionStorage, fromFragment);
    // The token must not stay in the address bar (history, screenshots, shoulder-surfing).
    history.replaceState(null, "", location.pathname + location.search + fragmentWithoutToken(location.hash));
    return fromFragment;
  }
  return loadToken(sessionStorage);
}

function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const change = (lng: Language) => {
    void i18n.changeLanguage(lng);
    localStorage.setItem(LANGUAGE_KEY, lng);
    document.documentElement.lang = lng;
  };
  return (
    <label className="lang">
      {t("app.language")}{" "}
      <select value={i18n.language} onChange={(e) => change(e.target.value as Language)} data-testid="language">
        <option value="zh">中文</option>
        <option value="en">English</option>
      </select>
    </label>
  );
}

function Login({ onToken, problem }: { onToken: (t: string) => void; problem: string }) {
  const { t } = useTranslation();
  const [text, setText] = useState("");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onToken(text);
  };
  return (
    <main id="main" className="login">
      <h1>{t("login.title")}</h1>
      <form onSubmit={submit}>
        <label htmlFor="token">{t("login.token")}</label>
        <textarea
          id="token"
          rows={5}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey) {
              e.preventDefault();
              onToken(text);
            }
          }}
          data-testid="login-token"
          autoFocus
          spellCheck={false}
        />
        <button type="submit" data-testid="login-submit">
          {t("login.submit")}
        </button>
      </form>
      {problem !== "" && (
        <p className="error" role="alert" data-testid="login-error">
          {t("login.bad", { reason: problem })}
        </p>
      )}
      <p className="muted">{t("login.hint")}</p>
    </main>
  );
}

function WhoAmI({ claims }: { claims: Claims }) {
  const { t, i18n } = useTranslation();
  const list = (xs: string[]) => (xs.length > 0 ? xs.join(", ") : t("who.none"));
  return (
    <details className="whoami" data-testid="whoami" data-sub={claims.sub}>
      <summary>
        {t("nav.whoami")}: <strong>{claims.sub || "?"}</strong> ({list(claims.roles)})
      </summary>
      <dl>
        <dt>{t("who.sub")}</dt>
        <dd>{claims.sub}</dd>
        <dt>{t("who.roles")}</dt>
        <dd>{list(claims.roles)}</dd>
        <dt>{t("who.unit")}</dt>
        <dd>{claims.unit || t("who.none")}</dd>
        <dt>{t("who.jurisdictions")}</dt>
        <dd>{list(claims.jurisdictions)}</dd>
        <dt>{t("who.clearance")}</dt>
        <dd>{claims.clearance || t("who.none")}</dd>
        <dt>{t("who.compartments")}</dt>
        <dd>{list(claims.compartments)}</dd>
        <dt>{t("who.expires")}</dt>
        <dd>{claims.exp === null ? t("who.none") : fmtTime(claims.exp * 1000, i18n.language)}</dd>
      </dl>
    </details>
  );
}

export function App() {
  const { t } = useTranslation();
  const [token, setToken] = useState(initialToken);
  const [problem, setProblem] = useState("");
  const loc = useLocation();
  const route = parseRoute(loc.pathname, loc.search);
  const tokenRef = useRef(token);
  tokenRef.current = token;
  const api = useMemo(() => new ApiClient({ token: () => tokenRef.current }), []);

  // One session object per token: views key their streams and loads on it.
  const decoded = useMemo(() => (token === "" ? null : decodeClaims(token)), [token]);
  const session: Session | null = useMemo(
    () => (decoded !== null && decoded.ok ? { api, token, claims: decoded.value, views: viewsFor(decoded.value.roles) } : null),
    [api, token, decoded],
  );

  useEffect(() => {
    document.title = t("app.title");
  }, [t]);

  // Signed in on "/" or "/login": go to the role's first view.
  useEffect(() => {
    if (session !== null && (route.name === "home" || route.name === "login")) navigate(homeFor(session.views), true);
  }, [session, route.name]);

  const signIn = (text: string) => {
    const r = decodeClaims(text);
    if (!r.ok) {
      setProblem(r.error);
      return;
    }
    setProblem("");
    saveToken(sessionStorage, text);
    setToken(text.trim());
  };
  const signOut = () => {
    clearToken(sessionStorage);
    setToken("");
    navigate("/login");
  };

  if (session === null) {
    return (
      <>
        <header className="top">
          <span className="brand">{t("app.title")}</span>
          <LanguageSwitch />
        </header>
        <Login onToken={signIn} problem={problem || (decoded !== null && !decoded.ok ? decoded.error : "")} />
      </>
    );
  }

  const v = session.views;
  const allowed = viewsOf(route);
  let body;
  if (allowed !== null && !allowed.some((x) => v.includes(x)))
    body = (
      <p className="error" data-testid="view-not-allowed">
        {t("who.notAllowed", { view: allowed.map((x) => t(`view.${x}`)).join(" / ") })}
      </p>
    );
  else
    switch (route.name) {
      case "analyst":
        body = <AnalystView />;
        break;
      case "judgment":
        body = <JudgmentPage judgmentId={route.judgmentId} />;
        break;
      case "hotspots":
        body = <HotspotsView />;
        break;
      case "unit":
        body = <UnitView unitId={route.unitId || session.claims.unit} />;
        break;
      case "supervisor":
        body = <SupervisorView />;
        break;
      case "trace":
        body = <TraceView query={route.query} />;
        break;
      case "report":
        body = <ReportView query={route.query} />;
        break;
      default:
        body = v.length === 0 ? <p className="error">{t("who.noViews")}</p> : <p>404 {loc.pathname}</p>;
    }

  const navLink = (href: string, label: string, id: string, active: boolean) => (
    <li>
      <Link href={href} data-testid={`nav-${id}`} aria-current={active ? "page" : undefined}>
        {label}
      </Link>
    </li>
  );
  return (
    <SessionContext.Provider value={session}>
      <a className="skip" href="#main">
        {t("app.skip")}
      </a>
      <header className="top">
        <span className="brand">{t("app.title")}</span>
        <nav aria-label="views">
          <ul>
            {v.includes("analyst") && navLink(paths.analyst(), t("nav.analyst"), "analyst", route.name === "analyst" || route.name === "judgment")}
            {v.includes("analyst") && navLink(paths.hotspots(), t("nav.hotspots"), "hotspots", route.name === "hotspots")}
            {v.includes("unit") && navLink(paths.unit(), t("nav.unit"), "unit", route.name === "unit")}
            {v.includes("supervisor") && navLink(paths.supervisor(), t("nav.supervisor"), "supervisor", route.name === "supervisor")}
            {v.includes("supervisor") && navLink(paths.trace(), t("nav.trace"), "trace", route.name === "trace")}
            {v.includes("supervisor") && navLink(paths.report(), t("nav.report"), "report", route.name === "report")}
          </ul>
        </nav>
        <WhoAmI claims={session.claims} />
        <LanguageSwitch />
        <button type="button" onClick={signOut} data-testid="sign-out">
          {t("login.signOut")}
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <ErrorBoundary resetKey={loc.pathname + loc.search}>
          <Suspense fallback={<p>{t("common.loading")}</p>}>{body}</Suspense>
        </ErrorBoundary>
      </main>
    </SessionContext.Provider>
  );
}
