import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startApp, type AppServer } from "@/server/testing/app-server";

/** The README's first command: `npm run dev` serves the app, with its embedded worker, on a fresh home. */
describe("npm run dev (next dev, embedded PGlite)", () => {
  let app: AppServer;
  before(async () => {
    app = await startApp({}, "dev");
  });
  after(async () => {
    await app?.stop();
  });

  it("takes a run and its points over HTTP and renders the run page", async () => {
    const created = await app.fetch(`${app.url}/api/v1/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ experiment: "quick-start", name: "curl-run" }),
    });
    assert.equal(created.status, 201);
    const run = (await created.json()) as { id: number };
    const logged = await app.fetch(`${app.url}/api/v1/runs/${run.id}/log`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ metrics: [{ key: "train/loss", step: 0, value: 5.1 }, { key: "train/loss", step: 1, value: 4.7 }] }),
    });
    assert.deepEqual(await logged.json(), { points: 2, params: 0 });
    const page = await app.fetch(`${app.url}/runs/${run.id}`);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /curl-run/);
    assert.match(html, /train\/loss/);
  });
});
