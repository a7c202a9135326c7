/**
 * A deployment's rollout page in the browser: three versions of one encoder, a flag with a canary
 * and an A/B test of v2 against v1, 200 users served through the inference path with clicks more
 * likely on v2, a shadow copy to v3; then the page's flag in words, the experiment's results with
 * their lift and interval, the shadow's agreement, and a ramp started, paused, resumed and rolled
 * back from its buttons; the flag editor and its refusals; what a viewer sees; an unknown deployment.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { startApp, type AppServer } from "@/server/testing/app-server";
import { waitFor } from "@/server/testing/wait-for";
import { launchChromium } from "./browser";

const SHOTS = "test-output/screenshots";
const VIEWPORT = { width: 1440, height: 900 };
const ENCODER = "fm-roll";
const DEPLOYMENT = "fm-rollout";
const USERS = 200;
/** click probability per served version: v2 is clearly better */
const CLICK = { 1: 0.3, 2: 0.6, 3: 0.3 } as Record<number, number>;

interface PlotDiv extends HTMLElement {
  data: { name: string; x: unknown[]; y: (number | null)[] }[];
}

/** A small seeded generator (mulberry32): the same clicks every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("rollout page in Chromium (next start)", () => {
  let app: AppServer;
  let browser: Browser;
  let page: Page;
  const served = new Map<string, { version: number; experiment?: string }>();
  const browserErrors: string[] = [];
  const rolloutPath = `/deployments/${DEPLOYMENT}/rollout`;
  const shot = (name: string, p: Page = page) => p.screenshot({ path: path.join(SHOTS, `rollout-${name}.png`), fullPage: true });

  /** A JSON (or raw bytes) request with the local admin token; anything but 2xx throws with the server's words. */
  async function call<T>(method: string, target: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const bytes = body instanceof Uint8Array;
    const res = await app.fetch(target, {
      method,
      headers: { ...(body === undefined ? {} : { "content-type": bytes ? "application/octet-stream" : "application/json" }), ...headers },
      body: body === undefined ? undefined : bytes ? (body as BodyInit) : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${target}: ${res.status} ${await res.text()}`);
    return (res.status === 204 ? null : await res.json()) as T;
  }

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    app = await startApp({ PRETEXT_EMBEDDED_WORKER: "0" });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: VIEWPORT });
    await app.signIn(page);
    page.on("pageerror", (e) => browserErrors.push(e.message));
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  it("serves 200 users by the flag, with a shadow copy to v3, and takes their clicks", async () => {
    const run = await call<{ id: number }>("POST", "/api/v1/runs", { experiment: "rollout-page", name: "simclr" });
    await call("PUT", `/api/v1/runs/${run.id}/artifacts/encoder.ptx?kind=encoder`, new Uint8Array(readFileSync("examples/encoders/fashion-mnist-simclr.ptx")));
    const v1 = await call<{ id: number; version: number }>("POST", "/api/v1/encoders", { name: ENCODER, runId: run.id, artifactName: "encoder.ptx" });
    for (const version of [2, 3]) assert.equal((await call<{ version: number }>("POST", "/api/v1/encoders", { name: ENCODER, runId: run.id, artifactName: "encoder.ptx" })).version, version);
    await call("POST", `/api/v1/encoders/${v1.id}/stage`, { stage: "production", reason: "control" });
    await call("POST", "/api/v1/deployments", { name: DEPLOYMENT, encoderName: ENCODER, sampleRate: 0 });
    await call("PUT", `/api/v1/deployments/${DEPLOYMENT}/flag`, {
      rules: [
        { kind: "force", version: 3, coverage: 0.05, seed: "canary" },
        { kind: "experiment", key: "v2-vs-v1", versions: [1, 2] },
      ],
    });
    await call("POST", "/api/v1/metrics", { key: "clicked", kind: "proportion" });
    await call("POST", "/api/v1/metrics", { key: "complaints", kind: "mean", goal: "decrease", guardrail: true });
    // every served request is copied to v3 (users the canary serves v3 are not: it is what they got)
    await call("PUT", `/api/v1/deployments/${DEPLOYMENT}/shadow`, { version: 3 });

    const pixels = Array.from({ length: 784 }, (_, i) => (i * 7) % 256);
    for (let i = 0; i < USERS; i++) {
      const user = `user-${i}`;
      const out = await call<{ encoder: { version: number }; experiment?: { key: string } }>("POST", `/api/v1/deployments/${DEPLOYMENT}/embed`, { inputs: [pixels] }, { "x-pretext-user": user });
      served.set(user, { version: out.encoder.version, experiment: out.experiment?.key });
    }
    const inTest = [...served.values()].filter((s) => s.experiment === "v2-vs-v1");
    const count = (v: number) => inTest.filter((s) => s.version === v).length;
    console.log(`served: v1 ${count(1)}, v2 ${count(2)} in the test; v3 ${[...served.values()].filter((s) => s.version === 3).length} (canary)`);
    assert.ok(count(1) > 60 && count(2) > 60, "both arms have users");

    // exposures are written in bulk about once a second; events count only after a user's first exposure
    await waitFor(
      "the exposures of every user in the test",
      async () => {
        const r = await call<{ variations: { users: number }[] }>("GET", `/api/v1/deployments/${DEPLOYMENT}/experiments/v2-vs-v1`);
        return r.variations.reduce((s, v) => s + v.users, 0) === inTest.length;
      },
      20_000,
      250,
    );
    const random = seeded(18);
    const events = [...served.entries()].flatMap(([user, s]) => [
      { metric: "clicked", user, value: random() < CLICK[s.version] ? 1 : 0 },
      { metric: "complaints", user, value: random() < 0.1 ? 1 : 0 },
    ]);
    assert.deepEqual(await call("POST", "/api/v1/events", { events }), { events: 2 * USERS });
    await waitFor("the shadow's mirrored requests", async () => (await call<{ mirrored: number }>("GET", `/api/v1/deployments/${DEPLOYMENT}/shadow`)).mirrored > 0, 20_000, 250);
  });

  it("words the flag, shows the experiment's results and the shadow's agreement", async () => {
    await page.goto(`${app.url}/deployments/${DEPLOYMENT}`);
    await shot("deployment");
    await page.getByTestId("rollout-link").click();
    await page.waitForURL(`**${rolloutPath}`);
    assert.equal(await page.locator("h1").innerText(), `Rollout of ${DEPLOYMENT}`);

    const rules = await page.getByTestId("flag-rules").locator("li").allInnerTexts();
    assert.deepEqual(rules, ["5 % of users → v3 (canary) · seed canary", "experiment v2-vs-v1: v1 50 % / v2 50 %, all users", "Everyone else → v1 (production)"]);
    const sdk = await page.getByTestId("sdk-connection").innerText();
    assert.match(sdk, /sdk-[\w-]+ · \/api\/features\/sdk-[\w-]+/);
    assert.match(sdk, /new GrowthBook\(\{ apiHost: "http:\/\/127\.0\.0\.1:\d+", clientKey: "sdk-[\w-]+" \}\)/);

    // the newest experiment is the one shown
    const inTest = [...served.values()].filter((s) => s.experiment === "v2-vs-v1").length;
    assert.match(await page.getByTestId("experiment-v2-vs-v1").innerText(), new RegExp(`^v2-vs-v1\\s+${inTest}\\s+20\\d\\d-`));
    const results = page.getByTestId("experiment-results");
    assert.match(await results.locator("h3").innerText(), /Results of v2-vs-v1/);
    assert.match(await page.getByTestId("variation-split").innerText(), /^v1 \(control\): \d+ users \([\d.]+ %, expected 50 %\) · v2: \d+ users \([\d.]+ %, expected 50 %\) · split as expected \(SRM p = [\d.]+\)$/);
    assert.equal(await page.getByTestId("srm-banner").count(), 0);
    assert.equal(await page.getByTestId("results-table").locator("tbody tr").count(), 4, "2 metrics × 2 variations");
    const control = await page.getByTestId("result-clicked-v1").innerText();
    assert.match(control, /^clicked\s+proportion, higher is better\s+v1\s*control\s+\d+\s+[\d.]+ %\s+baseline$/);
    const v2 = page.getByTestId("result-clicked-v2");
    const cells = await v2.locator("td").allInnerTexts();
    assert.match(cells[0], /^v2$/);
    assert.match(cells[3], /^\+[\d.]+ % \[[+−][\d.]+ %, \+[\d.]+ %\]$/, "a lift with its 95 % CI");
    assert.match(cells[4], /^\[[+−][\d.]+ %, \+[\d.]+ %\]$/, "the sequential CI");
    assert.match(cells[5], /^(< 0\.0001|0\.0\d+)$/, "a small p-value");
    assert.match(cells[6], /^(9\d(\.\d+)?|100) %$/, "v2 very likely wins");
    assert.equal(await v2.locator("td.better").count(), 1, "the lift is marked better");
    assert.match(await page.getByTestId("result-complaints-v1").innerText(), /^complaints\s*guardrail\s+mean, lower is better/);

    const summary = await page.getByTestId("shadow-summary").innerText();
    const mirrored = Number(summary.match(/Mirrored\s+([\d,]+) requests/)![1].replace(/,/g, ""));
    assert.ok(mirrored > 0, summary);
    assert.match(summary, /Failed\s+0\s+Cosine mean\s+1\.000\s+Cosine min\s+1\.000/, "the same weights agree");
    assert.match(await page.getByTestId("shadow-config").innerText(), /^v3 gets a copy of 100 % of requests/);
    const agreement = page.getByTestId("shadow-agreement-plot");
    await agreement.locator(".main-svg").first().waitFor();
    assert.deepEqual(await agreement.evaluate((el: PlotDiv) => el.data.map((d) => d.name)), ["cosine mean", "neighbour overlap"]);
    const cosine = await agreement.evaluate((el: PlotDiv) => el.data[0].y);
    assert.ok(cosine.length >= 1 && cosine.every((y) => y !== null && Math.abs(y - 1) < 1e-3), `cosine per minute ${cosine}`);
    await page.getByTestId("shadow-latency-plot").locator(".main-svg").first().waitFor();
    await shot("overview");
  });

  it("starts a ramp from the form, refusing a bad one, then pauses, resumes and rolls it back", async () => {
    const form = page.getByTestId("start-ramp");
    assert.equal(await page.getByTestId("ramp-empty").count(), 1);
    assert.deepEqual(await form.getByLabel("candidate version").locator("option").allInnerTexts(), ["v3", "v2"], "production is no candidate");
    await form.getByLabel("candidate version").selectOption("2");
    await form.getByLabel("steps").fill("50, 10");
    await form.getByRole("button", { name: "Start ramp" }).click();
    assert.match(await page.getByTestId("ramp-error").innerText(), /^steps: must raise the share at every step/);

    await form.getByLabel("steps").fill("10,50,100");
    await form.getByLabel("min minutes").fill("30");
    await form.getByLabel("min users").fill("50");
    await form.getByLabel("max p99").fill("2000");
    assert.equal(await form.getByLabel("guardrail complaints").isChecked(), true, "guardrail metrics are chosen by default");
    await form.getByLabel("ramp recipients").fill("oncall@example.com");
    await form.getByRole("button", { name: "Start ramp" }).click();
    await page.getByTestId("ramp-status").waitFor();
    assert.equal(await page.getByTestId("ramp-status").innerText(), "running");
    assert.equal(await page.getByTestId("start-ramp").count(), 0, "no second ramp while one runs");
    assert.match(await page.getByTestId("ramp-summary").innerText(), /^Ramp 1: v2 against v1, started 20\d\d-[\d-]+ [\d:]+ by user:admin; this step since/);
    const steps = await page.getByTestId("ramp-steps").locator("li").allInnerTexts();
    assert.deepEqual(
      steps.map((s) => s.replace(/\s+/g, " ")),
      ["1 10 % ≥ 30 min · ≥ 50 users", "2 50 % ≥ 30 min · ≥ 50 users", "3 100 % ≥ 30 min · ≥ 50 users"],
    );
    assert.match((await page.getByTestId("ramp-step-0").getAttribute("class"))!, /ramp-step-current/);
    const guardrails = /^Set: error rate ≤ 1 %, p99 ≤ 2,000 ms, complaints not significantly worse\./;
    assert.match(await page.getByTestId("ramp-guardrails").innerText(), guardrails);
    const checks = await page.getByTestId("ramp-checks").locator("tbody tr").allInnerTexts();
    assert.equal(checks.length, 3);
    assert.match(checks[0], /^error rate\s+—\s+≤ 0\.01\s+no verdict yet\s+0 requests so far; a verdict needs 20$/);
    assert.match(checks[1], /^p99 latency \(ms\)\s+—\s+≤ 2000\s+no verdict yet\s+0 requests so far/);
    assert.match(checks[2], /^complaints\s+—\s+not significantly worse \(sequential\)\s+no verdict yet\s+each variation needs at least 2 units$/);
    assert.match((await page.getByTestId("ramp-history").locator("tbody tr").allInnerTexts())[0], /^20\d\d-[\d-]+ [\d:]+\s+start\s+10 %\s+user:admin\s+v2 against v1$/);
    // the ramp owns the flag now
    assert.deepEqual(await page.getByTestId("flag-rules").locator("li").allInnerTexts(), ["experiment ramp-1: v1 90 % / v2 10 %, all users · seed ramp-1", "Everyone else → v1 (production)"]);
    await shot("ramp-running");

    const actions = page.getByTestId("ramp-actions");
    assert.deepEqual(await actions.getByRole("button").allInnerTexts(), ["Pause", "Promote", "Roll back"]);
    await actions.getByRole("button", { name: "Pause" }).click();
    await page.getByTestId("ramp-status").getByText("paused").waitFor();
    assert.deepEqual(await actions.getByRole("button").allInnerTexts(), ["Resume", "Promote", "Roll back"]);
    await actions.getByRole("button", { name: "Resume" }).click();
    await page.getByTestId("ramp-status").getByText("running").waitFor();

    await actions.getByRole("button", { name: "Roll back" }).click();
    assert.match(await actions.innerText(), /Serve v1 to everyone\?/);
    await actions.getByRole("button", { name: "Cancel" }).click();
    assert.equal(await page.getByTestId("ramp-status").innerText(), "running", "cancelled: nothing happened");
    await actions.getByRole("button", { name: "Roll back" }).click();
    await actions.getByRole("button", { name: "Yes, roll back" }).click();
    await page.getByTestId("ramp-status").getByText("rolled back").waitFor();
    assert.equal(await page.getByTestId("ramp-actions").count(), 0, "an ended ramp has no actions");
    assert.match((await page.getByTestId("ramp-step-0").getAttribute("class"))!, /ramp-step-stopped/);
    assert.match(await page.getByTestId("ramp-guardrails").innerText(), guardrails);
    const history = await page.getByTestId("ramp-history").locator("tbody tr").allInnerTexts();
    assert.deepEqual(
      history.map((h) => h.split("\t").slice(1).join(" | ")),
      ["rollback | 10 % | user:admin | rolled back by user:admin", "resume | 10 % | user:admin | —", "pause | 10 % | user:admin | holds the candidate at its current share", "start | 10 % | user:admin | v2 against v1"],
    );
    // the rollback cleared the flag; a new ramp may start
    assert.deepEqual(await page.getByTestId("flag-rules").locator("li").allInnerTexts(), ["Every user → v1 (production)"]);
    assert.equal(await page.getByTestId("start-ramp").count(), 1);
    await shot("ramp-rolled-back");

    const ramp = await call<{ ramp: { status: string }; events: unknown[] }>("GET", `/api/v1/deployments/${DEPLOYMENT}/ramp`);
    assert.equal(ramp.ramp.status, "rolled_back");
    assert.equal(ramp.events.length, 4);
  });

  it("sets rules from the editor, showing the server's refusal beside it, and clears them", async () => {
    const editor = page.getByTestId("flag-editor");
    await editor.getByRole("button", { name: "Add experiment" }).click();
    const rule = editor.getByTestId("rule-editor-0");
    await rule.getByLabel("rule 1 key").fill("v3-vs-v1");
    await rule.getByLabel("rule 1 version 2").selectOption("3");
    await rule.getByLabel("rule 1 weight 1").fill("60");
    await rule.getByLabel("rule 1 weight 2").fill("20");
    await rule.getByLabel("rule 1 coverage").fill("80");
    await editor.getByRole("button", { name: "Save rules" }).click();
    assert.match(await page.getByTestId("flag-error").innerText(), /^rules\.0\.weights: must sum to 1, got 0\.8$/);
    await shot("flag-refused");

    await rule.getByLabel("rule 1 weight 1").fill("70");
    await rule.getByLabel("rule 1 weight 2").fill("30");
    await editor.getByRole("button", { name: "Add force rule" }).click();
    await editor.getByTestId("rule-editor-1").getByLabel("rule 2 version").selectOption("2");
    await editor.getByTestId("rule-editor-1").getByLabel("rule 2 coverage").fill("10");
    await editor.getByRole("button", { name: "Save rules" }).click();
    await page.getByTestId("flag-saved").waitFor();
    await page.waitForFunction(() => document.querySelectorAll("[data-testid=flag-rules] li").length === 3);
    assert.deepEqual(await page.getByTestId("flag-rules").locator("li").allInnerTexts(), ["experiment v3-vs-v1: v1 70 % / v3 30 %, 80 % of users", "10 % of users → v2 (canary)", "Everyone else → v1 (production)"]);
    const flag = await call<{ rules: { kind: string; coverage: number }[] }>("GET", `/api/v1/deployments/${DEPLOYMENT}/flag`);
    assert.deepEqual(
      flag.rules.map((r) => [r.kind, r.coverage]),
      [
        ["experiment", 0.8],
        ["force", 0.1],
      ],
    );
    await shot("flag-set");

    await editor.getByRole("button", { name: "Clear all rules" }).click();
    await page.waitForFunction(() => document.querySelectorAll("[data-testid=flag-rules] li").length === 1);
    assert.deepEqual(await page.getByTestId("flag-rules").locator("li").allInnerTexts(), ["Every user → v1 (production)"]);
  });

  it("shows a viewer the page without the forms", async () => {
    const contexts: BrowserContext[] = [];
    try {
      const { link } = await call<{ link: string }>("POST", "/api/v1/users", { name: "viewer-1", role: "viewer" });
      const context = await browser.newContext({ viewport: VIEWPORT });
      contexts.push(context);
      const p = await context.newPage();
      p.on("pageerror", (e) => browserErrors.push(e.message));
      await p.goto(`${app.url}${link}`);
      await p.goto(`${app.url}${rolloutPath}?experiment=v2-vs-v1`);
      await p.getByTestId("results-table").waitFor();
      for (const form of ["flag-editor", "start-ramp", "ramp-actions", "shadow-form"]) assert.equal(await p.getByTestId(form).count(), 0, form);
      await p.getByTestId("shadow-latency-plot").locator(".main-svg").first().waitFor();
      await shot("viewer", p);
    } finally {
      for (const c of contexts) await c.close();
    }
  });

  it("shows the not-found page for an unknown deployment", async () => {
    const res = await page.goto(`${app.url}/deployments/no-such-deployment/rollout`);
    assert.equal(res?.status(), 404);
    assert.equal(await page.getByTestId("not-found").locator("h1").innerText(), "No deployment “no-such-deployment”");
    const unknown = await page.goto(`${app.url}${rolloutPath}?experiment=nope`);
    assert.equal(unknown?.status(), 200);
    assert.match(await page.getByTestId("experiment-unknown").innerText(), /No users were exposed to an experiment “nope”/);
    assert.deepEqual(browserErrors, []);
  });
});
