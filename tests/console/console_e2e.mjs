// The console in a real browser (Debian's chromium, driven by playwright-core) against a real bus
// that scripts/up.sh started: a watchlisted event published through collection shows up in the
// analyst's stream and in the unit's inbox; the officer acknowledges it in the browser and the
// new state shows in the inbox, the supervisor's units and the item's trace; the gateway is
// killed (-9) and restarted while both pages are open, events judged meanwhile arrive and
// nothing is missed or repeated. A screenshot of each view goes to $SCREENSHOT_DIR.
//
// The officer signs in and acknowledges from the keyboard.
//
// Environment (console_e2e_test.sh sets it): CONSOLE_URL, INFOBUS_RUN_DIR, INFOBUS_BUILD_DIR,
// INFOBUS_PKI_DIR, INFOBUS_*_ADDR, SCREENSHOT_DIR, CHROMIUM (default /usr/bin/chromium).
import { chromium } from "playwright-core";
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const env = process.env;
const consoleUrl = env.CONSOLE_URL.replace(/\/$/, "");
const run = env.INFOBUS_RUN_DIR;
const pki = env.INFOBUS_PKI_DIR || `${run}/pki`;
const ctl = `${env.INFOBUS_BUILD_DIR}/bin/infobusctl`;
const shots = env.SCREENSHOT_DIR;
const timeout = 30_000; // a bound for a condition, never a measurement
fs.mkdirSync(shots, { recursive: true });

function fail(message) {
  throw new Error(message);
}

function infobusctl(args, { input, token } = {}) {
  const childEnv = { ...env, INFOBUS_CA: `${pki}/ca.pem` };
  delete childEnv.INFOBUS_TOKEN;
  if (token) childEnv.INFOBUS_TOKEN = token;
  return execFileSync(ctl, args, { input, env: childEnv, encoding: "utf8" });
}

const mint = (...args) =>
  infobusctl(["token", "mint", "--key", `${pki}/jwt/signing.key`, ...args]).trim();
const analyst = mint("--sub", "analyst-3", "--role", "analyst", "--jurisdiction", "45", "--clearance", "SECRET");
const officer = mint("--sub", "officer-7", "--role", "officer", "--unit", "fusui-psb",
  "--jurisdiction", "451421", "--clearance", "CONFIDENTIAL");
const supervisor = mint("--sub", "supervisor-2", "--role", "supervisor", "--unit", "chongzuo-ops",
  "--jurisdiction", "4514", "--clearance", "SECRET");

// An 18-digit resident identity number (GB 11643) with a digit as its check character.
function idNumber(serial) {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  for (let n = serial; ; n += 1) {
    const body = `45142119900101${String(n % 1000).padStart(3, "0")}`;
    const sum = [...body].reduce((s, c, i) => s + Number(c) * weights[i], 0);
    const check = "10X98765432"[sum % 11];
    if (check !== "X") return body + check;
  }
}

// Puts `id` on the watchlist (as the admin machine) and publishes a check-in of it from
// fusui-lodging (with that source's certificate); returns when collection has accepted it.
let published = 0;
function publishWatchlisted(id) {
  infobusctl(["watch", "add", "--list", "wanted_person", "--type", "id_number", "--value", id,
    "--severity", "critical", "--cert", `${pki}/services/admin.pem`, "--key", `${pki}/services/admin.key`]);
  published += 1;
  const event = {
    eventId: `console-e2e-${process.pid}-${published}`,
    sourceId: "fusui-lodging",
    countyCode: "451421",
    kind: "lodging.checkin",
    occurredAt: new Date(Date.now() - 1000).toISOString(),
    location: { place: "扶绥县新宁镇某宾馆", hasCoordinates: true, lat: 22.63 + published / 100, lon: 107.9 },
    subjects: [{ type: "SUBJECT_TYPE_ID_NUMBER", value: id }],
    classification: "CLASSIFICATION_INTERNAL",
    payload: "check-in (console browser test)",
  };
  const out = infobusctl(["publish", "--cert", `${pki}/sources/fusui-lodging.pem`,
    "--key", `${pki}/sources/fusui-lodging.key`], { input: JSON.stringify(event) + "\n" });
  if (!out.includes("PUBLISH_OUTCOME_ACCEPTED")) fail(`publish was not accepted: ${out}`);
  return event;
}

// The oracle, through infobusctl (not the console): the analyst's judgment log, and the unit's
// deliveries.
function judgmentLog() {
  return infobusctl(["judgments"], { token: analyst }).trim().split("\n").filter(Boolean)
    .map((line) => JSON.parse(line));
}
function unitDeliveries() {
  return infobusctl(["deliveries", "--unit", "fusui-psb"], { token: officer }).trim().split("\n")
    .filter(Boolean).map((line) => JSON.parse(line));
}
async function until(what, condition) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const browser = await chromium.launch({
  executablePath: env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
    "--no-first-run", "--disable-component-update", "--disable-sync"],
});
// The gateway's certificate is the local PKI's (CN gateway, SAN 127.0.0.1), not a public CA's.
const contextOptions = { ignoreHTTPSErrors: true, viewport: { width: 1366, height: 768 }, locale: "en-US" };
const pageErrors = [];
async function signedIn(token, route, locale = "en-US") {
  const context = await browser.newContext({ ...contextOptions, locale });
  const page = await context.newPage();
  page.on("pageerror", (error) => pageErrors.push(String(error)));
  await page.goto(`${consoleUrl}${route}#token=${token}`);
  return page;
}
async function shot(page, name, fullPage = false) {
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage });
}
const live = (page, testId) =>
  page.locator(`[data-testid=${testId}][data-state=live]`).waitFor({ timeout });

try {
  // Signing in: the login page, and a bad token refused with the reason.
  {
    const context = await browser.newContext(contextOptions);
    const page = await context.newPage();
    await page.goto(`${consoleUrl}/`);
    await page.getByTestId("login-token").waitFor({ timeout });
    await shot(page, "login");
    await page.getByTestId("login-token").fill("not-a-token");
    await page.getByTestId("login-submit").click();
    await page.getByTestId("login-error").waitFor({ timeout });
    await context.close();
  }

  const analystPage = await signedIn(analyst, "/analyst");
  // The officer signs in from the keyboard: the token typed into the field, Enter.
  const unitContext = await browser.newContext(contextOptions);
  const unitPage = await unitContext.newPage();
  unitPage.on("pageerror", (error) => pageErrors.push(String(error)));
  await unitPage.goto(`${consoleUrl}/login`);
  await unitPage.getByTestId("login-token").focus();
  await unitPage.keyboard.insertText(officer);
  await unitPage.keyboard.press("Enter");
  await unitPage.getByTestId("whoami").waitFor({ timeout });
  await unitPage.goto(`${consoleUrl}/unit?unit=fusui-psb`);
  await live(analystPage, "judgment-stream-state");
  await live(unitPage, "inbox-stream-state");
  if (new URL(analystPage.url()).hash !== "") fail("the token stayed in the address bar");

  // 1. Published through collection, seen in both browsers.
  const first = idNumber(101);
  publishWatchlisted(first);
  const accepted = Date.now();
  const judgmentItem = analystPage.locator("[data-testid=judgment-item]", { hasText: first });
  const deliveryItem = unitPage.locator("[data-testid=delivery-item]", { hasText: first });
  const [toAnalyst, toUnit] = await Promise.all([
    judgmentItem.waitFor({ timeout }).then(() => Date.now() - accepted),
    deliveryItem.waitFor({ timeout }).then(() => Date.now() - accepted),
  ]);
  console.log(`[e2e] accepted -> analyst stream ${toAnalyst} ms, -> unit inbox ${toUnit} ms`);
  const judgmentId = await judgmentItem.getAttribute("data-judgment-id");
  if ((await judgmentItem.getAttribute("data-fresh")) !== "true") fail("a new judgment is not highlighted");
  await shot(analystPage, "analyst-stream");
  await shot(unitPage, "unit-inbox");

  // 2. The supervisor's units before the sign-off.
  const supervisorPage = await signedIn(supervisor, "/supervisor");
  const psbRow = supervisorPage.locator("[data-testid=unit-row][data-unit-id=fusui-psb]");
  await psbRow.waitFor({ timeout });
  const pendingBefore = Number(await until("fusui-psb pending in the supervisor's view", async () => {
    const pending = Number(await psbRow.getAttribute("data-pending"));
    return pending >= 1 ? String(pending) : null;
  }));
  await shot(supervisorPage, "supervisor-units");

  // 3. Acknowledged in the browser: the inbox, the supervisor's counts and the trace follow.
  await deliveryItem.getByTestId("acknowledge").focus(); // from the keyboard, as a duty room would
  await unitPage.keyboard.press("Enter");
  await unitPage.locator("[data-testid=delivery-item][data-status=DELIVERY_STATUS_ACKNOWLEDGED]",
    { hasText: first }).waitFor({ timeout });
  const signedBy = unitDeliveries().find((d) => d.judgment.judgmentId === judgmentId);
  if (signedBy?.acknowledgedBy !== "officer-7") fail(`dispatch recorded ${JSON.stringify(signedBy)}`);
  await until("the supervisor's pending count to drop", async () => {
    await supervisorPage.getByTestId("supervisor-refresh").click();
    return Number(await psbRow.getAttribute("data-pending")) === pendingBefore - 1;
  });
  await supervisorPage.goto(`${consoleUrl}/trace?judgmentId=${encodeURIComponent(judgmentId)}`);
  await until("the trace to show the sign-off", async () => {
    if ((await supervisorPage.locator("[data-testid=trace-hop][data-kind=HOP_KIND_SIGNED]").count()) > 0) {
      return true;
    }
    await supervisorPage.getByTestId("trace-submit").click(); // supervision may not have folded it yet
    return false;
  });
  await shot(supervisorPage, "trace");

  // 4. The analyst's judgment page and a review.
  await judgmentItem.getByTestId("judgment-link").click();
  await analystPage.locator(`[data-testid=judgment-page][data-judgment-id="${judgmentId}"]`).waitFor({ timeout });
  await analystPage.getByTestId("judgment-evidence").waitFor({ timeout });
  // The analyst follows it to the unit that signed it (supervision's trace, once folded).
  await until("the analyst's judgment page to show the signed delivery", async () => {
    const deliveries = analystPage.getByTestId("judgment-deliveries");
    if ((await deliveries.count()) > 0 && (await deliveries.innerText()).includes("officer-7")) return true;
    await analystPage.reload();
    await analystPage.getByTestId("judgment-evidence").waitFor({ timeout });
    return false;
  });
  await analystPage.getByTestId("review-note").fill("seen at the hotel (browser test)");
  await analystPage.getByTestId("review-confirm").click();
  await analystPage.locator("[data-testid=review-status][data-status=REVIEW_STATUS_CONFIRMED]").waitFor({ timeout });
  await shot(analystPage, "judgment-page");

  // 5. The supervisor's report of this month (the routing file's +08:00: when this test's
  // deliveries were made and signed), and the hotspots view with the judged events' places.
  const month = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 7);
  await supervisorPage.goto(`${consoleUrl}/report?period=${month}&unitId=chongzuo-ops&includeSubordinates=true`);
  await supervisorPage.getByTestId("report-table-units").waitFor({ timeout });
  await supervisorPage.locator("[data-testid=report-table-units]", { hasText: "fusui-psb" }).waitFor({ timeout });
  await shot(supervisorPage, "report", true);
  await analystPage.goto(`${consoleUrl}/hotspots`);
  await analystPage.getByTestId("hotspots-chart").waitFor({ timeout });
  const plotted = Number(await analystPage.getByTestId("hotspots-points").getAttribute("data-count"));
  if (plotted < 1) fail("the hotspots view plots none of the judged events with coordinates");
  await shot(analystPage, "hotspots", true);
  await analystPage.goto(`${consoleUrl}/analyst`);
  await live(analystPage, "judgment-stream-state");

  // 6. The gateway killed and restarted with both streams open: what was judged meanwhile
  // arrives, nothing twice, nothing missing.
  const gatewayPid = Number(fs.readFileSync(`${run}/pids/gateway.pid`, "utf8"));
  const argv = fs.readFileSync(`/proc/${gatewayPid}/cmdline`, "utf8").split("\0").filter(Boolean);
  const cwd = fs.readlinkSync(`/proc/${gatewayPid}/cwd`);
  process.kill(gatewayPid, "SIGKILL");
  await Promise.all([
    analystPage.locator("[data-testid=judgment-stream-state][data-state=reconnecting]").waitFor({ timeout }),
    unitPage.locator("[data-testid=inbox-stream-state][data-state=reconnecting]").waitFor({ timeout }),
  ]);
  const during = [idNumber(202), idNumber(303)];
  const deliveredBefore = unitDeliveries().length;
  during.forEach((id) => publishWatchlisted(id));
  await until("dispatch to deliver what was published while the gateway was down",
    () => unitDeliveries().length >= deliveredBefore + during.length);
  await shot(unitPage, "unit-inbox-reconnecting");
  const log = fs.openSync(`${run}/logs/gateway.log`, "a");
  const restarted = spawn(argv[0], argv.slice(1), { cwd, detached: true, stdio: ["ignore", log, log] });
  restarted.unref();
  fs.writeFileSync(`${run}/pids/gateway.pid`, `${restarted.pid}\n`); // down.sh stops this one
  await live(analystPage, "judgment-stream-state");
  await live(unitPage, "inbox-stream-state");
  for (const id of during) {
    await analystPage.locator("[data-testid=judgment-item]", { hasText: id }).waitFor({ timeout });
    await unitPage.locator("[data-testid=delivery-item]", { hasText: id }).waitFor({ timeout });
  }

  // The analyst's list is the judgment log, each record once.
  const expected = await until("the judgment log to hold the new judgments", () => {
    const records = judgmentLog();
    return during.every((id) => records.some((r) => JSON.stringify(r).includes(id))) ? records : null;
  });
  const shown = await analystPage.locator("[data-testid=judgment-item]").evaluateAll((items) =>
    items.map((item) => `${item.dataset.seq}/${item.dataset.judgmentId}`));
  const wanted = expected.map((r) => `${r.seq}/${r.judgment.judgmentId}`);
  const key = (list) => [...list].sort().join(" ");
  if (new Set(shown).size !== shown.length) fail(`the analyst stream repeats items: ${shown}`);
  if (key(shown) !== key(wanted)) fail(`the analyst stream shows ${key(shown)}, the log holds ${key(wanted)}`);
  // The unit's inbox: every seq from 1 to the last, once.
  const seqs = await unitPage.locator("[data-testid=delivery-item]").evaluateAll((items) =>
    items.map((item) => Number(item.dataset.seq)));
  const total = unitDeliveries().length;
  const sorted = [...seqs].sort((a, b) => a - b);
  if (sorted.length !== total || sorted.some((seq, i) => seq !== i + 1)) {
    fail(`the inbox shows seqs ${sorted}, dispatch holds 1..${total}`);
  }
  await shot(analystPage, "analyst-stream-after-restart");
  await shot(unitPage, "unit-inbox-after-restart");

  // The same views in Chinese.
  const zhPage = await signedIn(officer, "/unit?unit=fusui-psb", "zh-CN");
  await live(zhPage, "inbox-stream-state");
  await shot(zhPage, "unit-inbox-zh");

  if (pageErrors.length > 0) fail(`errors on the pages: ${pageErrors.join("; ")}`);
  console.log(`[e2e] OK: ${shown.length} judgments and ${seqs.length} deliveries shown once each; screenshots in ${shots}`);
} finally {
  await browser.close();
}
