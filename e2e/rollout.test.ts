/**
 * A deployment's flag seen from outside: the official GrowthBook SDK, pointed at a running Pretext
 * as its API host with the deployment's client key, assigns 10,000 users exactly as the server does,
 * and the inference path serves each user the version it assigned.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { GrowthBook } from "@growthbook/growthbook";
import { startApp, type AppServer } from "@/server/testing/app-server";

describe("GrowthBook SDK against a running Pretext (next start)", () => {
  let app: AppServer;
  let clientKey: string;
  const call = async <T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> => {
    const res = await app.fetch(path, { method, headers: { "content-type": "application/json", ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  };

  before(async () => {
    app = await startApp({ PRETEXT_EMBEDDED_WORKER: "0" });
    const run = await call<{ id: number }>("POST", "/api/v1/runs", { experiment: "rollout", name: "encoder" });
    const put = await app.fetch(`/api/v1/runs/${run.id}/artifacts/encoder.ptx?kind=encoder`, { method: "PUT", headers: { "content-type": "application/octet-stream" }, body: readFileSync("examples/encoders/fashion-mnist-simclr.ptx") });
    assert.equal(put.status, 201);
    const v1 = await call<{ id: number }>("POST", "/api/v1/encoders", { name: "fm", runId: run.id, artifactName: "encoder.ptx" });
    for (const version of [2, 3]) assert.equal((await call<{ version: number }>("POST", "/api/v1/encoders", { name: "fm", runId: run.id, artifactName: "encoder.ptx" })).version, version);
    await call("POST", `/api/v1/encoders/${v1.id}/stage`, { stage: "production", reason: "control" });
    await call("POST", "/api/v1/deployments", { name: "fm-ab", encoderName: "fm", sampleRate: 0 });
    // 5 % canary of v3, then an A/B test of v2 against v1 on 80 % of the others (30/70), the rest on production
    const flag = await call<{ clientKey: string }>("PUT", "/api/v1/deployments/fm-ab/flag", {
      rules: [
        { kind: "force", version: 3, coverage: 0.05, seed: "canary" },
        { kind: "experiment", key: "v2-vs-v1", versions: [1, 2], weights: [0.7, 0.3], coverage: 0.8 },
      ],
    });
    clientKey = flag.clientKey;
  });
  after(async () => {
    await app?.stop();
  });

  it("serves the SDK-connection payload without a token, and 404s an unknown key", async () => {
    const res = await fetch(`${app.url}/api/features/${clientKey}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("access-control-allow-origin"), "*");
    const payload = (await res.json()) as { features: Record<string, { defaultValue: number; rules: { hashVersion: number }[] }> };
    assert.equal(payload.features["fm-ab"].defaultValue, 1);
    assert.deepEqual(payload.features["fm-ab"].rules.map((r) => r.hashVersion), [2, 2]);
    assert.equal((await fetch(`${app.url}/api/features/sdk-nope`)).status, 404);
  });

  it("assigns 10,000 users through the official SDK exactly as the server does", async () => {
    const gb = new GrowthBook({ apiHost: app.url, clientKey });
    await gb.init({ timeout: 5000 });
    const users = Array.from({ length: 10_000 }, (_, i) => `user-${i}`);
    const sdk = users.map((id) => {
      gb.setAttributes({ id });
      return gb.getFeatureValue<number | null>("fm-ab", null);
    });
    gb.destroy();
    const { assignments } = await call<{ assignments: { version: number }[] }>("POST", "/api/v1/deployments/fm-ab/assign", { users });
    const server = assignments.map((a) => a.version);
    const disagree = users.filter((_, i) => sdk[i] !== server[i]);
    assert.deepEqual(disagree, [], `${disagree.length} of 10,000 users assigned differently`);
    const count = (v: number) => server.filter((s) => s === v).length;
    console.log(`10,000 users: v3 ${count(3)}, v2 ${count(2)}, v1 ${count(1)} (expected about 500, 2,280, 7,220)`);
    assert.ok(Math.abs(count(3) - 500) < 4 * Math.sqrt(10_000 * 0.05 * 0.95));
    assert.ok(Math.abs(count(2) - 2280) < 4 * Math.sqrt(10_000 * 0.228 * 0.772));
  });

  it("serves each user, through the inference path, the version the SDK assigned", async () => {
    const gb = new GrowthBook({ apiHost: app.url, clientKey });
    await gb.init({ timeout: 5000 });
    const pixels = Array.from({ length: 784 }, (_, i) => i % 256);
    for (let i = 0; i < 60; i++) {
      const id = `user-${i}`;
      gb.setAttributes({ id });
      const served = await call<{ encoder: { version: number }; experiment?: { key: string } }>("POST", "/api/v1/deployments/fm-ab/embed", { inputs: [pixels] }, { "x-pretext-user": id });
      assert.equal(served.encoder.version, gb.getFeatureValue("fm-ab", null), id);
      if (served.experiment) assert.equal(served.experiment.key, "v2-vs-v1");
    }
    gb.destroy();
  });
});
