import { describe, expect, it } from "vitest";
import { parseRunId, readJson } from "./http";
import { jsonInputProblem } from "./validation";

const post = (body: string) => new Request("http://x/api/v1/runs", { method: "POST", body });
const refusal = (p: Promise<unknown>) => p.then(() => null, (e: { status: number; message: string }) => ({ status: e.status, message: e.message }));

describe("the REST API's JSON reader", () => {
  it("refuses a NUL character anywhere, naming the field", async () => {
    expect(await refusal(readJson(post(JSON.stringify({ notes: "a\u0000b" }))))).toEqual({ status: 400, message: "notes: must not contain the NUL character (\\u0000)" });
    expect((await refusal(readJson(post(JSON.stringify({ config: { layers: [{ name: "x\u0000" }] } })))))?.message).toMatch(/^config\.layers\.0\.name: must not contain the NUL/);
    expect((await refusal(readJson(post(JSON.stringify({ tags: { "k\u0000": "v" } })))))?.message).toMatch(/^tags: key "k\\u0000" must not contain the NUL/);
    expect((await refusal(readJson(post(JSON.stringify({ status: "failed", reason: "\u0000" })))))?.message).toMatch(/^reason: /);
    expect((await refusal(readJson(post(JSON.stringify({ source: "\u0000" })))))?.message).toMatch(/^source: /);
    expect((await refusal(readJson(post(JSON.stringify({ params: { lr: "\u0000" } })))))?.message).toMatch(/^params\.lr: /);
    expect((await refusal(readJson(post(JSON.stringify({ config: { name: "\u0000" } })))))?.message).toMatch(/^config\.name: /);
  });

  it("refuses a body nested 5,000 deep with a 400, and reads one nested 60 deep", async () => {
    const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
    expect(await refusal(readJson(post(`{"config": {"a": ${nested(5000)}}}`)))).toEqual({
      status: 400,
      message: `config.a.${"0.".repeat(61)}0: nested deeper than the limit of 64 levels`,
    });
    expect(await readJson(post(nested(60)))).toBeInstanceOf(Array);
    expect(jsonInputProblem({ a: 1, b: ["x", { c: null }] })).toBeNull();
  });

  it("refuses a run id beyond PostgreSQL's integer range, naming it", () => {
    expect(parseRunId("2147483647")).toBe(2147483647);
    expect(() => parseRunId(String(2 ** 31))).toThrow("id: must be a run id, at most 2147483647");
    expect(() => parseRunId("99999999999999999999")).toThrow(/id: must be a run id/);
  });
});
