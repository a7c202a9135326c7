/**
 * Issue 16, "one input boundary": a corpus of bad input sent to every route under /api/v1 and every
 * tRPC procedure with an input, against `next start` on PostgreSQL. Every answer must be a 4xx with
 * `{"error": "<field>: <reason>"}` (tRPC: the same text as its error message), never a 5xx and never
 * a 2xx, and nothing may be stored: the rows of every table (counted with `pg`) and the artifact
 * files are compared before and after each request. A few requests are not bad input at all (a
 * run named like an SQL injection, a filter searching for one): they are marked `ok` and may
 * succeed, but never with a 5xx.
 *
 * Cases marked `todo` fail today and say why; they are reported, not counted as failures.
 *
 * Run alone: node --import tsx --test e2e/bad-input.test.ts
 * Against the source instead of the production build (to check a fix before `next build`):
 *   BAD_INPUT_NEXT_MODE=dev PRETEXT_NEXT_DIST_DIR=.next-bad-input node --import tsx --test e2e/bad-input.test.ts
 */
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { startApp, type AppServer } from "@/server/testing/app-server";
import { createPostgresDatabase } from "@/server/testing/databases";

/** Small enough that a too-large artifact is cheap, large enough for the example encoder (1.6 MB). */
const ARTIFACT_MAX_BYTES = 4 * 1024 * 1024;
const JSON_MAX_BYTES = 32 * 1024 * 1024;
const ENCODER_FILE = readFileSync("examples/encoders/fashion-mnist-simclr.ptx");
const NEXT_MODE = process.env.BAD_INPUT_NEXT_MODE === "dev" ? "dev" : "start";

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** What a case sends as its body: a value (sent as JSON), raw text or bytes, or a stream of `bytes` bytes. */
type Body = { json: unknown } | { raw: string | Uint8Array } | { stream: { bytes: number; head?: string; fill?: string; tail?: string } };

interface Case {
  name: string;
  method: Method;
  path: string;
  body?: Body;
  headers?: Record<string, string>;
  /** send no token (every route family has one such case: 401) */
  anonymous?: boolean;
  /** the status (or statuses) expected; "ok": not bad input, any 2xx/4xx but no 5xx */
  expect: number | number[] | "ok";
  /** the field the error must name ("body", "url", "authorization", "name", "metrics.0.step", ...) */
  field?: string;
  /** more about the reason, when it matters */
  reason?: RegExp;
  /** an `ok` case that is meant to store something (its rows are not a partial write) */
  writes?: boolean;
  /** why this case fails today (node:test reports it as a todo) */
  todo?: string;
}

interface Fixture {
  runId: number;
  /** a second run for cases that, wrongly accepted, would change what they touch */
  scratchRunId: number;
  experimentId: number;
  encoderId: number;
  encoderName: string;
  deployment: string;
  user: string;
  datasetName: string;
  monitorId: number;
  ruleId: number;
}

// ---------------------------------------------------------------------------------------------
// why the todo cases fail (each names where the fix belongs)

const TODO = {
  queryUtf8: "Next decodes invalid UTF-8 in the query string to U+FFFD before any route (or middleware) sees it, so only what the value then means can be refused",
  pathUtf8: "Next answers invalid UTF-8 in the path with its own HTML 400 page before any route runs (a 4xx, but no JSON naming the field)",
};

// ---------------------------------------------------------------------------------------------
// building blocks of the corpus

const BAD_IDS: { raw: string; json: unknown; expect: number }[] = [
  { raw: "0", json: 0, expect: 400 },
  { raw: "-1", json: -1, expect: 400 },
  { raw: "2147483648", json: 2147483648, expect: 400 },
  { raw: "1e309", json: "1e309", expect: 400 }, // in JSON bodies the literal 1e309, which parses as Infinity (bodyIds)
  { raw: "abc", json: "abc", expect: 400 },
  { raw: "99999", json: 99999, expect: 404 },
];

const LONG = "n".repeat(100_000);
const SQLI = "'; drop table runs; --";
const NUL = "a\u0000b";
/** `depth` nested objects: {"a":{"a":...{}}} */
const deepObject = (depth: number) => '{"a":'.repeat(depth) + "{}" + "}".repeat(depth);
const deepArray = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
/** JSON text of `value` with the string "@@" replaced by raw text (NaN, 1e309, a nested document) */
const jsonWith = (value: unknown, raw: string) => JSON.stringify(value).replace('"@@"', raw);
/** a body that is `text` with the two bytes C3 28 (an invalid UTF-8 sequence) where "@@" stands */
const invalidUtf8 = (text: string): Uint8Array => {
  const [head, tail] = text.split("@@");
  return Buffer.concat([Buffer.from(head), Buffer.from([0xc3, 0x28]), Buffer.from(tail)]);
};
const enc = encodeURIComponent;

const post = (name: string, p: string, json: unknown, expect: Case["expect"], field?: string, more: Partial<Case> = {}): Case => ({
  name,
  method: "POST",
  path: p,
  body: { json },
  expect,
  field,
  ...more,
});
const rawPost = (name: string, p: string, raw: string | Uint8Array, expect: Case["expect"], field?: string, more: Partial<Case> = {}): Case => ({
  name,
  method: "POST",
  path: p,
  body: { raw },
  expect,
  field,
  ...more,
});
const get = (name: string, p: string, expect: Case["expect"], field?: string, more: Partial<Case> = {}): Case => ({ name, method: "GET", path: p, expect, field, ...more });

/**
 * What every JSON-reading route gets: literal NaN and Infinity (invalid JSON), NUL in a string and
 * in a key, objects and arrays nested 5,000 deep, an array or a bare string for the object, truncated
 * JSON, and a body over 32 MiB (streamed). `sample` is a body whose field `key` carries the bad value;
 * `wrongType` is what an array or a bare string gets (by default a 400 naming "body").
 */
function jsonBoundary(method: Method, p: string, sample: Record<string, unknown>, key: string, wrongType: Partial<Case> = { field: "body" }): Case[] {
  const withValue = (v: unknown) => ({ ...sample, [key]: v });
  const cases: Case[] = [
    { name: "literal NaN (invalid JSON)", method, path: p, body: { raw: jsonWith(withValue("@@"), "NaN") }, expect: 400, field: "body", reason: /not valid JSON/ },
    { name: "literal Infinity (invalid JSON)", method, path: p, body: { raw: jsonWith(withValue("@@"), "Infinity") }, expect: 400, field: "body", reason: /not valid JSON/ },
    { name: "NUL in a string", method, path: p, body: { json: withValue(NUL) }, expect: 400, field: key, reason: /NUL/ },
    { name: "NUL in a key", method, path: p, body: { json: { ...sample, ["k\u0000"]: 1 } }, expect: 400, field: "body", reason: /NUL/ },
    { name: "nested 5,000 deep", method, path: p, body: { raw: jsonWith(withValue("@@"), deepObject(5000)) }, expect: 400, reason: /nested deeper/ },
    { name: "arrays nested 5,000 deep", method, path: p, body: { raw: jsonWith(withValue("@@"), deepArray(5000)) }, expect: 400, reason: /nested deeper/ },
    { name: "a JSON array instead of an object", method, path: p, body: { raw: "[1,2,3]" }, expect: 400, ...wrongType },
    { name: "a bare string", method, path: p, body: { raw: '"x"' }, expect: 400, ...wrongType },
    { name: "truncated JSON", method, path: p, body: { raw: JSON.stringify(sample).slice(0, -1) }, expect: 400, field: "body", reason: /not valid JSON/ },
    { name: "a body over 32 MiB, streamed", method, path: p, body: { stream: { bytes: JSON_MAX_BYTES + 1024, head: `{"${key}":"`, fill: "a", tail: '"}' } }, expect: 413, field: "body" },
  ];
  return cases.map((c) => ({ ...c, name: `${method} ${p.replace(/\?.*/, "")}: ${c.name}` }));
}

/** `sample` with the bytes C3 28 (invalid UTF-8) as the string at `key`: a 400 naming the body, nothing stored. */
function invalidUtf8Case(method: Method, p: string, sample: Record<string, unknown>, key: string, more: Partial<Case> = {}): Case {
  return {
    name: `${method} ${p}: invalid UTF-8 (C3 28) in ${key}`,
    method,
    path: p,
    body: { raw: invalidUtf8(JSON.stringify({ ...sample, [key]: "@@" })) },
    expect: 400,
    field: "body",
    reason: /UTF-8/,
    ...more,
  };
}

/** Unknown and malformed ids in a path: 400 naming `field`, 404 for one that is well-formed but unknown. */
function pathIds(method: Method, template: (id: string) => string, field = "id", body?: Body): Case[] {
  return BAD_IDS.map(({ raw, expect }) => ({
    name: `${method} ${template(":id")}: id ${raw}`,
    method,
    path: template(raw),
    body,
    expect,
    field: expect === 400 ? field : undefined,
  }));
}

/** Unknown and malformed ids in a JSON body at `key`. */
function bodyIds(method: Method, p: string, sample: Record<string, unknown>, key: string, field = key): Case[] {
  return BAD_IDS.map(({ raw, json, expect }) => ({
    name: `${method} ${p}: ${key} ${raw}`,
    method,
    path: p,
    body: raw === "1e309" ? { raw: jsonWith({ ...sample, [key]: "@@" }, "1e309") } : { json: { ...sample, [key]: json } },
    expect,
    field: expect === 400 ? field : undefined,
  }));
}

const unauthenticated = (method: Method, p: string, body?: Body): Case => ({
  name: `${method} ${p.replace(/\?.*/, "")}: no token`,
  method,
  path: p,
  body,
  anonymous: true,
  expect: 401,
  field: "authorization",
});

// tRPC: queries are GET /api/trpc/<path>?input={"json": ...}, mutations POST {"json": ...} (superjson)

type SuperJsonMeta = Record<string, [string]>;
const trpcInput = (input: unknown, meta?: SuperJsonMeta) => JSON.stringify(meta ? { json: input, meta: { values: meta } } : { json: input });
const tq = (proc: string, input: unknown, meta?: SuperJsonMeta) => `/api/trpc/${proc}?input=${enc(trpcInput(input, meta))}`;
const trpcQuery = (proc: string, what: string, input: unknown, expect: Case["expect"], field?: string, more: Partial<Case> & { meta?: SuperJsonMeta } = {}): Case => {
  const { meta, ...rest } = more;
  return { name: `trpc ${proc}: ${what}`, method: "GET", path: tq(proc, input, meta), expect, field, ...rest };
};
const trpcMutation = (proc: string, what: string, input: unknown, expect: Case["expect"], field?: string, more: Partial<Case> & { meta?: SuperJsonMeta } = {}): Case => {
  const { meta, ...rest } = more;
  return { name: `trpc ${proc}: ${what}`, method: "POST", path: `/api/trpc/${proc}`, body: { raw: trpcInput(input, meta) }, expect, field, ...rest };
};

/** Unknown and malformed ids in a tRPC input at `key` (NaN and Infinity through superjson's meta, as a tRPC client sends them). */
function trpcIds(kind: "query" | "mutation", proc: string, sample: Record<string, unknown>, key: string, field = key): Case[] {
  const make = kind === "query" ? trpcQuery : trpcMutation;
  return [
    ...BAD_IDS.map(({ raw, json, expect }) =>
      raw === "1e309"
        ? make(proc, `${key} Infinity (superjson)`, { ...sample, [key]: "Infinity" }, 400, field, { meta: { [key]: ["number"] } })
        : make(proc, `${key} ${raw}`, { ...sample, [key]: json }, expect, expect === 400 ? field : undefined),
    ),
    make(proc, `${key} NaN (superjson)`, { ...sample, [key]: "NaN" }, 400, field, { meta: { [key]: ["number"] } }),
    make(proc, `${key} missing`, Object.fromEntries(Object.entries(sample).filter(([k]) => k !== key)), 400, field),
  ];
}

// ---------------------------------------------------------------------------------------------
// the corpus

function corpus(f: Fixture): Case[] {
  const R = f.runId;
  const S = f.scratchRunId;
  const E = f.experimentId;
  const ENC = f.encoderId;
  const run = `/api/v1/runs/${R}`;
  const validDataset = { name: "bi-ds-2", source: "file:///data", format: "idx", checksum: "0".repeat(32), shape: [28, 28], count: 10, hasLabels: true };
  const validResult = { encoderId: null, benchmark: "b", method: "linear_probe", labelFraction: 0.1, seed: 0, metric: "test_accuracy", value: 0.5 };
  const base = JSON.parse(readFileSync("workers/engine/configs/sweeps/lr.json", "utf8")).base as Record<string, unknown>;
  const validSweep = { base, method: "grid", parameters: { "optimizer.lr": { values: [0.001] } }, budget: 1 };
  const monitors = `/api/v1/deployments/${f.deployment}/monitors`;
  const flag = `/api/v1/deployments/${f.deployment}/flag`;
  const validMonitor = { name: "m2", target: "embedding", reference: { kind: "dataset", data: "fashion-mnist" }, window: { kind: "count", size: 100 } };
  const rules = `/api/v1/monitors/${f.monitorId}/rules`;
  const validRule = { name: "r2", figure: "mmd.p_value", direction: "below", threshold: 0.01, recipients: ["owner@example.com"] };

  return [
    // ---- runs: create ----------------------------------------------------------------------
    unauthenticated("POST", "/api/v1/runs", { json: { experiment: "bad-input" } }),
    { name: "POST /api/v1/runs: a garbage bearer token", method: "POST", path: "/api/v1/runs", body: { json: {} }, headers: { authorization: "Bearer ptx_garbage" }, expect: 401, field: "authorization" },
    { name: "POST /api/v1/runs: a Basic credential", method: "POST", path: "/api/v1/runs", body: { json: {} }, headers: { authorization: "Basic YWRtaW46YWRtaW4=" }, expect: 401, field: "authorization" },
    ...jsonBoundary("POST", "/api/v1/runs", { experiment: "bad-input", name: "x" }, "name"),
    invalidUtf8Case("POST", "/api/v1/runs", { experiment: "bad-input" }, "name", {}),
    rawPost("POST /api/v1/runs: bytes that are not UTF-8 at all", "/api/v1/runs", new Uint8Array([0xff, 0xfe, 0xfd, 0x00, 0x80]), 400, "body"),
    post("POST /api/v1/runs: name a number", "/api/v1/runs", { name: 5 }, 400, "name"),
    post("POST /api/v1/runs: name null", "/api/v1/runs", { name: null }, 400, "name"),
    post("POST /api/v1/runs: name of 100k characters", "/api/v1/runs", { name: LONG }, 400, "name", { reason: /at most 200/ }),
    post("POST /api/v1/runs: experiment of 100k characters", "/api/v1/runs", { experiment: LONG }, 400, "experiment"),
    post("POST /api/v1/runs: project of 100k characters", "/api/v1/runs", { project: LONG }, 400, "project"),
    post("POST /api/v1/runs: notes of 100,001 characters", "/api/v1/runs", { notes: "x".repeat(100_001) }, 400, "notes"),
    post("POST /api/v1/runs: name with a control character", "/api/v1/runs", { name: "a\u0007b" }, 400, "name"),
    post("POST /api/v1/runs: config a string", "/api/v1/runs", { config: "lr=1" }, 400, "config"),
    post("POST /api/v1/runs: config an array", "/api/v1/runs", { config: [1, 2] }, 400, "config"),
    post("POST /api/v1/runs: config over 1 MiB", "/api/v1/runs", { config: { blob: "x".repeat(1024 * 1024) } }, 400, "config", { reason: /1 MiB/ }),
    post("POST /api/v1/runs: config with a NUL in a nested key", "/api/v1/runs", { config: { a: { ["k\u0000"]: 1 } } }, 400, "config.a", { reason: /NUL/ }),
    post("POST /api/v1/runs: tags an array", "/api/v1/runs", { tags: ["a"] }, 400, "tags"),
    post("POST /api/v1/runs: tag value a number", "/api/v1/runs", { tags: { a: 1 } }, 400, "tags.a"),
    post("POST /api/v1/runs: 1,001 tags", "/api/v1/runs", { tags: Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`t${i}`, "v"])) }, 400, "tags", { reason: /at most 1000/ }),
    post("POST /api/v1/runs: tag key of 100k characters", "/api/v1/runs", { tags: { [LONG]: "v" } }, 400, "tags"),
    post("POST /api/v1/runs: status unknown", "/api/v1/runs", { status: "exploded" }, 400, "status"),
    ...bodyIds("POST", "/api/v1/runs", { experiment: "bad-input" }, "parentRunId"),
    post("POST /api/v1/runs: a name that looks like SQL injection (stored as it is)", "/api/v1/runs", { experiment: "bad-input", name: SQLI }, "ok", undefined, { writes: true }),

    // ---- runs: read, patch ----------------------------------------------------------------
    unauthenticated("GET", run),
    ...pathIds("GET", (id) => `/api/v1/runs/${id}`),
    get("GET /api/v1/runs/:id: id 1.5", "/api/v1/runs/1.5", 400, "id"),
    get("GET /api/v1/runs/:id: id with invalid UTF-8 (%C3%28)", "/api/v1/runs/%C3%28", 400, "url", { todo: TODO.pathUtf8 }),
    get("GET /api/v1/runs/:id: id with a NUL (%00)", "/api/v1/runs/1%00", 400, "url"),
    get("GET /api/v1/runs/:id: SQL in the id", `/api/v1/runs/${enc("1; drop table runs")}`, 400, "id"),
    ...pathIds("PATCH", (id) => `/api/v1/runs/${id}`, "id", { json: { notes: "x" } }),
    ...jsonBoundary("PATCH", run, { notes: "x" }, "notes"),
    { name: "PATCH /api/v1/runs/:id: an unknown field", method: "PATCH", path: run, body: { json: { status: "finished" } }, expect: 400, field: "body", reason: /status/ },
    { name: "PATCH /api/v1/runs/:id: name a number", method: "PATCH", path: run, body: { json: { name: 5 } }, expect: 400, field: "name" },
    { name: "PATCH /api/v1/runs/:id: name of 100k characters", method: "PATCH", path: run, body: { json: { name: LONG } }, expect: 400, field: "name" },
    { name: "PATCH /api/v1/runs/:id: notes of 100,001 characters", method: "PATCH", path: run, body: { json: { notes: "x".repeat(100_001) } }, expect: 400, field: "notes" },

    // ---- runs: log ------------------------------------------------------------------------
    unauthenticated("POST", `${run}/log`, { json: { params: { lr: 1 } } }),
    ...pathIds("POST", (id) => `/api/v1/runs/${id}/log`, "id", { json: { params: { lr: 1 } } }),
    ...jsonBoundary("POST", `${run}/log`, { params: { note: "x" } }, "params"),
    invalidUtf8Case("POST", `/api/v1/runs/${S}/log`, {}, "params", {
      body: { raw: invalidUtf8('{"params":{"note":"@@"}}') },
    }),
    post("POST /runs/:id/log: step \"NaN\"", `${run}/log`, { metrics: [{ key: "x", step: "NaN", value: 1 }] }, 400, "metrics.0.step"),
    rawPost("POST /runs/:id/log: step literal NaN", `${run}/log`, '{"metrics":[{"key":"x","step":NaN,"value":1}]}', 400, "body", { reason: /not valid JSON/ }),
    rawPost("POST /runs/:id/log: value literal NaN", `${run}/log`, '{"metrics":[{"key":"x","step":0,"value":NaN}]}', 400, "body", { reason: /not valid JSON/ }),
    rawPost("POST /runs/:id/log: value literal -Infinity", `${run}/log`, '{"metrics":[{"key":"x","step":0,"value":-Infinity}]}', 400, "body"),
    rawPost("POST /runs/:id/log: step 1e309", `${run}/log`, '{"metrics":[{"key":"x","step":1e309,"value":1}]}', 400, "metrics.0.step"),
    rawPost("POST /runs/:id/log: value 1e309 (a number that overflows)", `${run}/log`, '{"metrics":[{"key":"x","step":0,"value":1e309}]}', 400, "metrics.0.value"),
    post("POST /runs/:id/log: value \"nan\" (not one of the names)", `${run}/log`, { metrics: [{ key: "x", step: 0, value: "nan" }] }, 400, "metrics.0.value"),
    post("POST /runs/:id/log: value an object", `${run}/log`, { metrics: [{ key: "x", step: 0, value: { v: 1 } }] }, 400, "metrics.0.value"),
    post("POST /runs/:id/log: step -1", `${run}/log`, { metrics: [{ key: "x", step: -1, value: 1 }] }, 400, "metrics.0.step"),
    post("POST /runs/:id/log: step 1.5", `${run}/log`, { metrics: [{ key: "x", step: 1.5, value: 1 }] }, 400, "metrics.0.step"),
    post("POST /runs/:id/log: step 2^53 + 2", `${run}/log`, { metrics: [{ key: "x", step: 2 ** 53 + 2, value: 1 }] }, 400, "metrics.0.step"),
    post("POST /runs/:id/log: timestamp \"Infinity\"", `${run}/log`, { metrics: [{ key: "x", step: 0, value: 1, timestamp: "Infinity" }] }, 400, "metrics.0.timestamp"),
    post("POST /runs/:id/log: timestamp -1", `${run}/log`, { metrics: [{ key: "x", step: 0, value: 1, timestamp: -1 }] }, 400, "metrics.0.timestamp"),
    post("POST /runs/:id/log: key missing", `${run}/log`, { metrics: [{ step: 0, value: 1 }] }, 400, "metrics.0.key"),
    post("POST /runs/:id/log: key of 100k characters", `${run}/log`, { metrics: [{ key: LONG, step: 0, value: 1 }] }, 400, "metrics.0.key"),
    post("POST /runs/:id/log: key with SQL", `${run}/log`, { metrics: [{ key: SQLI, step: 0, value: 1 }] }, 400, "metrics.0.key"),
    post("POST /runs/:id/log: a good point before a bad one (all or nothing)", `${run}/log`, { metrics: [{ key: "x", step: 0, value: 1 }, { key: "x", step: 1, value: "high" }] }, 400, "metrics.1.value"),
    post("POST /runs/:id/log: metrics an object", `${run}/log`, { metrics: { key: "x" } }, 400, "metrics"),
    post("POST /runs/:id/log: 10,001 points", `${run}/log`, { metrics: Array.from({ length: 10_001 }, (_, i) => ({ key: "x", step: i, value: 1 })) }, 413, "metrics"),
    post("POST /runs/:id/log: params an array", `${run}/log`, { params: [1] }, 400, "params"),
    post("POST /runs/:id/log: param value an object", `${run}/log`, { params: { lr: { v: 1 } } }, 400, "params.lr"),
    post("POST /runs/:id/log: param key of 100k characters", `${run}/log`, { params: { [LONG]: 1 } }, 400, "params"),
    post("POST /runs/:id/log: param key with SQL", `${run}/log`, { params: { [SQLI]: 1 } }, 400, "params"),
    post("POST /runs/:id/log: param value of 5,001 characters", `${run}/log`, { params: { note: "x".repeat(5001) } }, 400, "params.note"),

    // ---- runs: status, tags, cancel, sweep ------------------------------------------------------
    unauthenticated("POST", `${run}/status`, { json: { status: "finished" } }),
    ...pathIds("POST", (id) => `/api/v1/runs/${id}/status`, "id", { json: { status: "finished" } }),
    ...jsonBoundary("POST", `${run}/status`, { status: "bogus", reason: "x" }, "reason"),
    post("POST /runs/:id/status: status missing", `${run}/status`, {}, 400, "status"),
    post("POST /runs/:id/status: status a number", `${run}/status`, { status: 5 }, 400, "status"),
    post("POST /runs/:id/status: status unknown", `${run}/status`, { status: "exploded" }, 400, "status"),
    post("POST /runs/:id/status: reason of 100k characters", `${run}/status`, { status: "finished", reason: LONG }, 400, "reason"),
    unauthenticated("POST", `${run}/tags`, { json: { tags: { a: "b" } } }),
    ...pathIds("POST", (id) => `/api/v1/runs/${id}/tags`, "id", { json: { tags: { a: "b" } } }),
    ...jsonBoundary("POST", `${run}/tags`, { tags: "x" }, "tags"),
    invalidUtf8Case("POST", `/api/v1/runs/${S}/tags`, {}, "tags", {
      body: { raw: invalidUtf8('{"tags":{"k":"@@"}}') },
    }),
    post("POST /runs/:id/tags: tags missing", `${run}/tags`, {}, 400, "tags"),
    post("POST /runs/:id/tags: tags an array", `${run}/tags`, { tags: ["a"] }, 400, "tags"),
    post("POST /runs/:id/tags: empty key", `${run}/tags`, { tags: { "": "v" } }, 400, "tags"),
    post("POST /runs/:id/tags: value a number", `${run}/tags`, { tags: { a: 1 } }, 400, "tags.a"),
    post("POST /runs/:id/tags: value null", `${run}/tags`, { tags: { a: null } }, 400, "tags.a"),
    post("POST /runs/:id/tags: key of 100k characters", `${run}/tags`, { tags: { [LONG]: "v" } }, 400, "tags"),
    post("POST /runs/:id/tags: value of 1,001 characters", `${run}/tags`, { tags: { a: "x".repeat(1001) } }, 400, "tags.a"),
    post("POST /runs/:id/tags: 1,001 tags", `${run}/tags`, { tags: Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`t${i}`, "v"])) }, [400, 413], "tags"),
    unauthenticated("POST", `${run}/cancel`),
    ...pathIds("POST", (id) => `/api/v1/runs/${id}/cancel`, "id", { json: {} }),
    unauthenticated("GET", `${run}/sweep`),
    ...pathIds("GET", (id) => `/api/v1/runs/${id}/sweep`),

    // ---- runs: metric series ------------------------------------------------------------------
    unauthenticated("GET", `${run}/metrics/train/loss`),
    ...pathIds("GET", (id) => `/api/v1/runs/${id}/metrics/train/loss`),
    get("GET /runs/:id/metrics/:key: maxPoints NaN", `${run}/metrics/train/loss?maxPoints=NaN`, 400, "maxPoints"),
    get("GET /runs/:id/metrics/:key: maxPoints Infinity", `${run}/metrics/train/loss?maxPoints=Infinity`, 400, "maxPoints"),
    get("GET /runs/:id/metrics/:key: maxPoints 1e309", `${run}/metrics/train/loss?maxPoints=1e309`, 400, "maxPoints"),
    get("GET /runs/:id/metrics/:key: maxPoints abc", `${run}/metrics/train/loss?maxPoints=abc`, 400, "maxPoints"),
    get("GET /runs/:id/metrics/:key: maxPoints 5", `${run}/metrics/train/loss?maxPoints=5`, 400, "maxPoints"),
    get("GET /runs/:id/metrics/:key: maxPoints 100001", `${run}/metrics/train/loss?maxPoints=100001`, 400, "maxPoints"),
    get("GET /runs/:id/metrics/:key: maxPoints 12.5", `${run}/metrics/train/loss?maxPoints=12.5`, 400, "maxPoints"),
    get("GET /runs/:id/metrics/:key: stepFrom -1", `${run}/metrics/train/loss?stepFrom=-1`, 400, "stepFrom"),
    get("GET /runs/:id/metrics/:key: stepFrom NaN", `${run}/metrics/train/loss?stepFrom=NaN`, 400, "stepFrom"),
    get("GET /runs/:id/metrics/:key: stepTo 1e20", `${run}/metrics/train/loss?stepTo=1e20`, 400, "stepTo"),
    get("GET /runs/:id/metrics/:key: stepTo below stepFrom", `${run}/metrics/train/loss?stepFrom=5&stepTo=1`, 400, "stepTo"),
    get("GET /runs/:id/metrics/:key: an unknown key", `${run}/metrics/nope`, 404),
    get("GET /runs/:id/metrics/:key: a key of 10k characters", `${run}/metrics/${"k".repeat(10_000)}`, 404),
    get("GET /runs/:id/metrics/:key: a key with SQL", `${run}/metrics/${enc(SQLI)}`, 404),
    get("GET /runs/:id/metrics/:key: a key with invalid UTF-8 (%C3%28)", `${run}/metrics/%C3%28`, 400, "url", { todo: TODO.pathUtf8 }),
    get("GET /runs/:id/metrics/:key: a key that is a lone % (%25)", `${run}/metrics/%25`, 404, undefined),
    get("GET /runs/:id/metrics/:key: a NUL in the key (%00)", `${run}/metrics/a%00b`, 400, "url"),

    // ---- runs: artifacts ----------------------------------------------------------------------
    { ...unauthenticated("PUT", `${run}/artifacts/a.bin`, { raw: new Uint8Array([1]) }), headers: { "content-type": "application/octet-stream" } },
    ...pathIds("PUT", (id) => `/api/v1/runs/${id}/artifacts/a.bin`, "id", { raw: new Uint8Array([1]) }),
    ...[
      ["../../etc/passwd (slashes encoded)", "..%2F..%2Fetc%2Fpasswd"],
      ["%2e%2e%2f%2e%2e%2fetc%2fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd"],
      ["a/../../x (inner slashes encoded)", "a%2F..%2F..%2Fx"],
      ["an absolute path /etc/passwd", "%2Fetc%2Fpasswd"],
      ["backslashes ..\\..\\etc\\passwd", "..%5C..%5Cetc%5Cpasswd"],
      ["a Windows path C:\\Windows\\win.ini", "C%3A%5CWindows%5Cwin.ini"],
      ["~/.ssh/id_rsa", "~%2F.ssh%2Fid_rsa"],
      ["a . segment", "a/.%2Fb"],
      ["a .. segment in the middle", "a/%2E%2E%2Fb"],
      ["SQL", enc(SQLI)],
      ["256 characters", "a".repeat(256)],
      ["a space", "a%20b"],
    ].flatMap(([what, name]): Case[] => [
      { name: `PUT /runs/:id/artifacts/:name: ${what}`, method: "PUT", path: `${run}/artifacts/${name}`, body: { raw: new Uint8Array([1, 2, 3]) }, expect: 400, field: "name" },
      { name: `GET /runs/:id/artifacts/:name: ${what}`, method: "GET", path: `${run}/artifacts/${name}`, expect: 400, field: "name" },
    ]),
    { name: "PUT /runs/:id/artifacts/:name: invalid UTF-8 in the name (%C3%28)", method: "PUT", path: `${run}/artifacts/%C3%28`, body: { raw: new Uint8Array([1]) }, expect: 400, field: "url", todo: TODO.pathUtf8 },
    { name: "PUT /runs/:id/artifacts/:name: a NUL in the name (%00)", method: "PUT", path: `${run}/artifacts/a%00.bin`, body: { raw: new Uint8Array([1]) }, expect: 400, field: "url" },
    { name: "PUT /runs/:id/artifacts/:name: an empty body", method: "PUT", path: `${run}/artifacts/empty.bin`, body: { raw: new Uint8Array(0) }, expect: 400, field: "body", reason: /empty/ },
    { name: "PUT /runs/:id/artifacts/:name: no body at all", method: "PUT", path: `${run}/artifacts/empty.bin`, expect: 400, field: "body", reason: /empty/ },
    { name: "PUT /runs/:id/artifacts/:name: an empty body in a new folder", method: "PUT", path: `${run}/artifacts/deep/er/empty.bin`, body: { raw: new Uint8Array(0) }, expect: 400, field: "body" },
    { name: "PUT /runs/:id/artifacts/:name: one byte over the limit, streamed", method: "PUT", path: `${run}/artifacts/big.bin`, body: { stream: { bytes: ARTIFACT_MAX_BYTES + 1 } }, expect: 413, field: "artifact" },
    { name: "PUT /runs/:id/artifacts/:name: over the limit, replacing a stored one (overwrite=true)", method: "PUT", path: `${run}/artifacts/ok.bin?overwrite=true`, body: { stream: { bytes: ARTIFACT_MAX_BYTES + 1 } }, expect: 413, field: "artifact" },
    { name: "PUT /runs/:id/artifacts/:name: over 32 MiB, streamed", method: "PUT", path: `${run}/artifacts/huge.bin`, body: { stream: { bytes: JSON_MAX_BYTES + 1024 } }, expect: 413, field: "artifact" },
    { name: "PUT /runs/:id/artifacts/:name: over the limit with content-length declared", method: "PUT", path: `${run}/artifacts/big2.bin`, body: { raw: new Uint8Array(ARTIFACT_MAX_BYTES + 1) }, expect: 413, field: "artifact" },
    { name: "PUT /runs/:id/artifacts/:name: overwrite=maybe", method: "PUT", path: `${run}/artifacts/new.bin?overwrite=maybe`, body: { raw: new Uint8Array([1]) }, expect: 400, field: "overwrite" },
    { name: "PUT /runs/:id/artifacts/:name: a name already stored", method: "PUT", path: `${run}/artifacts/ok.bin`, body: { raw: new Uint8Array([1]) }, expect: 409, field: "name" },
    { name: "PUT /runs/:id/artifacts/:name: a file inside a stored file", method: "PUT", path: `${run}/artifacts/ok.bin/inner`, body: { raw: new Uint8Array([1]) }, expect: 409, field: "name" },
    get("GET /runs/:id/artifacts/:name: an unknown name", `${run}/artifacts/nope.bin`, 404),
    ...pathIds("GET", (id) => `/api/v1/runs/${id}/artifacts/ok.bin`),

    // ---- experiments: the runs search ----------------------------------------------------------
    unauthenticated("GET", `/api/v1/experiments/${E}/runs`),
    ...pathIds("GET", (id) => `/api/v1/experiments/${id}/runs`),
    ...[
      ["an unclosed parenthesis", "(params.lr > 1"],
      ["a dangling operator", "metrics.loss >"],
      ["a field alone", "params."],
      ["an unknown field", "colour = \"red\""],
      ["a bare word", "drop"],
      ["SQL after a comparison", `name = "x" or 1=1; ${SQLI}`],
      ["SQL in single quotes, unterminated", SQLI],
      ["a semicolon", "status = \"running\"; delete from runs"],
      ["NaN as a value", "metrics.loss > NaN"],
      ["Infinity as a value", "metrics.loss < Infinity"],
      ["a string for a metric", 'metrics.loss > "low"'],
      ["like on a number", "metrics.loss like 1"],
      ["true with <", "params.x < true"],
      ["an id that is a string", 'id = "1"'],
      ["a date that is not one", 'created > "yesterday"'],
      ["a date before year 1 (0000-01-01)", 'created > "0000-01-01"'],
      ["a date after year 9999", 'created < "+010000-01-01T00:00:00Z"'],
      ["a date far before (-271821-04-20)", 'created > "-271821-04-20T00:00:00Z"'],
      ["min() of a param", "min(params.lr) > 1"],
      ["an unclosed backtick", "params.`batch size = 1"],
      ["an unclosed string", 'name = "abc'],
      ["5,000 nested parentheses", "(".repeat(5000) + "id = 1" + ")".repeat(5000)],
      ["2,000 nested nots", "not ".repeat(2000) + "id = 1"],
      ["10,001 characters", "a".repeat(10_001)],
      ["invalid UTF-8 (%C3%28)", null],
      ["a NUL (%00)", null],
    ].map(([what, filter]): Case => {
      const p = `/api/v1/experiments/${E}/runs?filter=`;
      if (filter === null) {
        const utf8 = what!.includes("C3");
        return get(`GET /experiments/:id/runs: filter ${what}`, p + (utf8 ? "%C3%28" : "a%00"), 400, "url", utf8 ? { todo: `${TODO.queryUtf8}: 400 "filter: … found '\uFFFD'"` } : {});
      }
      return get(`GET /experiments/:id/runs: filter ${what}`, p + enc(filter), 400, "filter", what === "10,001 characters" ? { reason: /at most 10000/ } : {});
    }),
    get("GET /experiments/:id/runs: a filter searching for an SQL-looking name", `/api/v1/experiments/${E}/runs?filter=${enc(`name = "${SQLI}"`)}`, "ok"),
    get("GET /experiments/:id/runs: sort with SQL", `/api/v1/experiments/${E}/runs?sort=${enc("name; drop table runs")}`, 400, "sort"),
    get("GET /experiments/:id/runs: sort unknown", `/api/v1/experiments/${E}/runs?sort=colour`, 400, "sort"),
    get("GET /experiments/:id/runs: dir sideways", `/api/v1/experiments/${E}/runs?dir=sideways`, 400, "dir"),
    get("GET /experiments/:id/runs: page -1", `/api/v1/experiments/${E}/runs?page=-1`, 400, "page"),
    get("GET /experiments/:id/runs: page NaN", `/api/v1/experiments/${E}/runs?page=NaN`, 400, "page"),
    get("GET /experiments/:id/runs: page 1e309", `/api/v1/experiments/${E}/runs?page=1e309`, 400, "page"),
    get("GET /experiments/:id/runs: page 2^53", `/api/v1/experiments/${E}/runs?page=9007199254740992`, 400, "page"),
    get("GET /experiments/:id/runs: page 10^15 (an offset past bigint with pageSize 500)", `/api/v1/experiments/${E}/runs?page=1000000000000000&pageSize=500`, "ok"),
    get("GET /experiments/:id/runs: pageSize 0", `/api/v1/experiments/${E}/runs?pageSize=0`, 400, "pageSize"),
    get("GET /experiments/:id/runs: pageSize 501", `/api/v1/experiments/${E}/runs?pageSize=501`, 400, "pageSize"),
    get("GET /experiments/:id/runs: pageSize abc", `/api/v1/experiments/${E}/runs?pageSize=abc`, 400, "pageSize"),

    // ---- benchmarks --------------------------------------------------------------------------
    unauthenticated("GET", `/api/v1/benchmarks/results?runId=${R}`),
    unauthenticated("POST", "/api/v1/benchmarks/results", { json: { runId: R, results: [] } }),
    get("GET /benchmarks/results: no runId or encoderId", "/api/v1/benchmarks/results", 400, "runId"),
    ...BAD_IDS.flatMap(({ raw, expect }) => [
      get(`GET /benchmarks/results: runId ${raw}`, `/api/v1/benchmarks/results?runId=${raw}`, expect, expect === 400 ? "runId" : undefined),
      get(`GET /benchmarks/results: encoderId ${raw}`, `/api/v1/benchmarks/results?encoderId=${raw}`, expect, expect === 400 ? "encoderId" : undefined),
    ]),
    ...jsonBoundary("POST", "/api/v1/benchmarks/results", { runId: R, results: [{ ...validResult, method: "x" }] }, "results"),
    ...bodyIds("POST", "/api/v1/benchmarks/results", { results: [validResult] }, "runId"),
    post("POST /benchmarks/results: results missing", "/api/v1/benchmarks/results", { runId: R }, 400, "results"),
    post("POST /benchmarks/results: results an object", "/api/v1/benchmarks/results", { runId: R, results: { a: 1 } }, 400, "results"),
    post("POST /benchmarks/results: value \"NaN\"", "/api/v1/benchmarks/results", { runId: R, results: [{ ...validResult, value: "NaN" }] }, 400, "results.0.value"),
    rawPost("POST /benchmarks/results: value literal NaN", "/api/v1/benchmarks/results", jsonWith({ runId: R, results: [{ ...validResult, value: "@@" }] }, "NaN"), 400, "body"),
    rawPost("POST /benchmarks/results: value 1e309", "/api/v1/benchmarks/results", jsonWith({ runId: R, results: [{ ...validResult, value: "@@" }] }, "1e309"), 400, "results.0.value"),
    post("POST /benchmarks/results: labelFraction \"Infinity\"", "/api/v1/benchmarks/results", { runId: R, results: [{ ...validResult, labelFraction: "Infinity" }] }, 400, "results.0.labelFraction"),
    post("POST /benchmarks/results: labelFraction 0", "/api/v1/benchmarks/results", { runId: R, results: [{ ...validResult, labelFraction: 0 }] }, 400, "results.0.labelFraction"),
    post("POST /benchmarks/results: seed -1", "/api/v1/benchmarks/results", { runId: R, results: [{ ...validResult, seed: -1 }] }, 400, "results.0.seed"),
    post("POST /benchmarks/results: seed 2147483648 (past integer)", "/api/v1/benchmarks/results", { runId: R, results: [{ ...validResult, seed: 2147483648 }] }, 400, "results.0.seed"),
    post("POST /benchmarks/results: method of 100k characters", "/api/v1/benchmarks/results", { runId: R, results: [{ ...validResult, method: LONG }] }, 400, "results.0.method"),
    post("POST /benchmarks/results: encoderId 99999 after a good result (all or nothing)", "/api/v1/benchmarks/results", { runId: R, results: [validResult, { ...validResult, encoderId: 99999 }] }, 404),
    post("POST /benchmarks/results: encoderId 0", "/api/v1/benchmarks/results", { runId: R, results: [{ ...validResult, encoderId: 0 }] }, 400, "results.0.encoderId"),
    post("POST /benchmarks/results: encoderId \"abc\"", "/api/v1/benchmarks/results", { runId: R, results: [{ ...validResult, encoderId: "abc" }] }, 400, "results.0.encoderId"),
    post("POST /benchmarks/results: 10,001 results", "/api/v1/benchmarks/results", { runId: R, results: Array.from({ length: 10_001 }, () => validResult) }, [400, 413], "results"),
    unauthenticated("GET", `/api/v1/benchmarks/label-efficiency?runId=${R}`),
    get("GET /benchmarks/label-efficiency: neither id", "/api/v1/benchmarks/label-efficiency", 400, "encoderId"),
    get("GET /benchmarks/label-efficiency: both ids", `/api/v1/benchmarks/label-efficiency?runId=${R}&encoderId=${ENC}`, 400, "encoderId"),
    ...BAD_IDS.flatMap(({ raw, expect }) => [
      get(`GET /benchmarks/label-efficiency: runId ${raw}`, `/api/v1/benchmarks/label-efficiency?runId=${raw}`, expect, expect === 400 ? "runId" : undefined),
      get(`GET /benchmarks/label-efficiency: encoderId ${raw}`, `/api/v1/benchmarks/label-efficiency?encoderId=${raw}`, expect, expect === 400 ? "encoderId" : undefined),
    ]),
    get("GET /benchmarks/label-efficiency: metric empty", `/api/v1/benchmarks/label-efficiency?runId=${R}&metric=`, 400, "metric"),
    get("GET /benchmarks/label-efficiency: benchmark of 10k characters", `/api/v1/benchmarks/label-efficiency?runId=${R}&benchmark=${"b".repeat(10_000)}`, 400, "benchmark"),
    get("GET /benchmarks/label-efficiency: metric with invalid UTF-8", `/api/v1/benchmarks/label-efficiency?runId=${R}&metric=%C3%28`, 400, "url", { todo: `${TODO.queryUtf8}: 200 with metric "\uFFFD("` }),

    // ---- datasets ----------------------------------------------------------------------------
    unauthenticated("GET", "/api/v1/datasets"),
    unauthenticated("POST", "/api/v1/datasets", { json: validDataset }),
    ...jsonBoundary("POST", "/api/v1/datasets", validDataset, "name"),
    invalidUtf8Case("POST", "/api/v1/datasets", validDataset, "name", {}),
    post("POST /datasets: name missing", "/api/v1/datasets", { ...validDataset, name: undefined }, 400, "name"),
    post("POST /datasets: name of 100k characters", "/api/v1/datasets", { ...validDataset, name: LONG }, 400, "name"),
    post("POST /datasets: checksum not hex", "/api/v1/datasets", { ...validDataset, checksum: SQLI }, 400, "checksum"),
    post("POST /datasets: shape [0]", "/api/v1/datasets", { ...validDataset, shape: [0] }, 400, "shape.0"),
    post("POST /datasets: shape [\"NaN\"]", "/api/v1/datasets", { ...validDataset, shape: ["NaN"] }, 400, "shape.0"),
    post("POST /datasets: count -1", "/api/v1/datasets", { ...validDataset, count: -1 }, 400, "count"),
    post("POST /datasets: count \"Infinity\"", "/api/v1/datasets", { ...validDataset, count: "Infinity" }, 400, "count"),
    rawPost("POST /datasets: count 1e309", "/api/v1/datasets", jsonWith({ ...validDataset, count: "@@" }, "1e309"), 400, "count"),
    post("POST /datasets: count 2147483648 (past integer)", "/api/v1/datasets", { ...validDataset, count: 2147483648 }, 400, "count"),
    post("POST /datasets: numClasses 2147483648 (past integer)", "/api/v1/datasets", { ...validDataset, numClasses: 2147483648 }, 400, "numClasses"),
    post("POST /datasets: hasLabels \"yes\"", "/api/v1/datasets", { ...validDataset, hasLabels: "yes" }, 400, "hasLabels"),
    post("POST /datasets: splits a list", "/api/v1/datasets", { ...validDataset, splits: [1] }, 400, "splits"),
    post("POST /datasets: the registered name with another checksum", "/api/v1/datasets", { ...validDataset, name: f.datasetName, checksum: "1".repeat(32) }, 409),

    // ---- encoders and the registry ---------------------------------------------------------------
    unauthenticated("GET", "/api/v1/encoders"),
    unauthenticated("GET", `/api/v1/encoders/${ENC}`),
    unauthenticated("POST", "/api/v1/encoders", { json: { name: "x", runId: R, architecture: "a", embeddingDim: 1 } }),
    ...pathIds("GET", (id) => `/api/v1/encoders/${id}`),
    get("GET /encoders/:id: invalid UTF-8 (%C3%28)", "/api/v1/encoders/%C3%28", 400, "url", { todo: TODO.pathUtf8 }),
    get("GET /encoders?name=: a name that looks like SQL", `/api/v1/encoders?name=${enc(SQLI)}`, "ok"),
    get("GET /encoders?name=: a URL over 16 KiB", `/api/v1/encoders?name=${"n".repeat(20_000)}`, 400, "name", {
      todo: "Node's HTTP parser refuses a request head over 16 KiB (--max-http-header-size) with a bare 431 and no body, before Next or the route runs",
    }),
    get("GET /encoders?name=: invalid UTF-8", "/api/v1/encoders?name=%C3%28", 400, "url", { todo: `${TODO.queryUtf8}: 200 []` }),
    get("GET /encoders/compare: a missing", `/api/v1/encoders/compare?b=${ENC}`, 400, "a"),
    ...BAD_IDS.map(({ raw, expect }) => get(`GET /encoders/compare: b ${raw}`, `/api/v1/encoders/compare?a=${ENC}&b=${raw}`, expect, expect === 400 ? "b" : undefined)),
    ...jsonBoundary("POST", "/api/v1/encoders", { name: "x", runId: R, architecture: "a", embeddingDim: 1 }, "name"),
    ...bodyIds("POST", "/api/v1/encoders", { name: "bi-enc-x", architecture: "a", embeddingDim: 4 }, "runId"),
    post("POST /encoders: name missing", "/api/v1/encoders", { runId: R, architecture: "a", embeddingDim: 1 }, 400, "name"),
    post("POST /encoders: name of 100k characters", "/api/v1/encoders", { name: LONG, runId: R, architecture: "a", embeddingDim: 1 }, 400, "name"),
    post("POST /encoders: embeddingDim \"NaN\"", "/api/v1/encoders", { name: "x", runId: R, architecture: "a", embeddingDim: "NaN" }, 400, "embeddingDim"),
    rawPost("POST /encoders: embeddingDim 1e309", "/api/v1/encoders", jsonWith({ name: "x", runId: R, architecture: "a", embeddingDim: "@@" }, "1e309"), 400, "embeddingDim"),
    post("POST /encoders: embeddingDim 2147483648 (past integer)", "/api/v1/encoders", { name: "x", runId: R, architecture: "a", embeddingDim: 2147483648 }, 400, "embeddingDim"),
    post("POST /encoders: architecture of 100k characters", "/api/v1/encoders", { name: "x", runId: R, architecture: LONG, embeddingDim: 1 }, 400, "architecture"),
    post("POST /encoders: neither artifact nor architecture", "/api/v1/encoders", { name: "x", runId: R }, 400, "artifactName"),
    ...["../../etc/passwd", "/etc/passwd", "..\\..\\x", SQLI].map((name) =>
      post(`POST /encoders: artifactName ${JSON.stringify(name)}`, "/api/v1/encoders", { name: "x", runId: R, artifactName: name }, 400, "artifactName"),
    ),
    post("POST /encoders: artifactName unknown", "/api/v1/encoders", { name: "x", runId: R, artifactName: "nope.ptx" }, 404),
    post("POST /encoders: an artifact that is not a model", "/api/v1/encoders", { name: "x", runId: R, artifactName: "ok.bin" }, [400, 422], "artifactName"),
    post("POST /encoders: datasetName unknown", "/api/v1/encoders", { name: "x", runId: R, architecture: "a", embeddingDim: 1, datasetName: "nope" }, 404),
    post("POST /encoders: head.runId 0", "/api/v1/encoders", { name: "x", runId: R, artifactName: "encoder.ptx", head: { runId: 0 } }, 400, "head.runId"),
    post("POST /encoders: modelSpec a string", "/api/v1/encoders", { name: "x", runId: R, artifactName: "encoder.ptx", modelSpec: "nchw" }, 400, "modelSpec"),
    unauthenticated("POST", `/api/v1/encoders/${ENC}/stage`, { json: { stage: "staging", reason: "x" } }),
    ...pathIds("POST", (id) => `/api/v1/encoders/${id}/stage`, "id", { json: { stage: "staging", reason: "x" } }),
    ...jsonBoundary("POST", `/api/v1/encoders/${ENC}/stage`, { stage: "bogus", reason: "x" }, "reason"),
    post("POST /encoders/:id/stage: stage unknown", `/api/v1/encoders/${ENC}/stage`, { stage: "heaven", reason: "x" }, 400, "stage"),
    post("POST /encoders/:id/stage: reason missing", `/api/v1/encoders/${ENC}/stage`, { stage: "staging" }, 400, "reason"),
    post("POST /encoders/:id/stage: reason blank", `/api/v1/encoders/${ENC}/stage`, { stage: "staging", reason: "   " }, 400, "reason"),
    post("POST /encoders/:id/stage: reason of 100k characters", `/api/v1/encoders/${ENC}/stage`, { stage: "staging", reason: LONG }, 400, "reason"),

    // ---- gates ------------------------------------------------------------------------------
    unauthenticated("GET", `/api/v1/gates/${f.encoderName}`),
    unauthenticated("PUT", `/api/v1/gates/${f.encoderName}`, { json: { rules: [] } }),
    get("GET /gates/:name: unknown", "/api/v1/gates/nope", 404),
    get("GET /gates/:name: a name that looks like SQL", `/api/v1/gates/${enc(SQLI)}`, 404),
    get("GET /gates/:name: invalid UTF-8 (%C3%28)", "/api/v1/gates/%C3%28", 400, "url", { todo: TODO.pathUtf8 }),
    get("GET /gates/:name: a lone % (%25)", "/api/v1/gates/%25", 404, undefined),
    get("GET /gates/:name: a name of 10k characters", `/api/v1/gates/${"g".repeat(10_000)}`, [400, 404]),
    ...jsonBoundary("PUT", `/api/v1/gates/${f.encoderName}`, { rules: [{ method: "x", labelFraction: 0.1 }] }, "rules"),
    { name: "PUT /gates/:name: rules missing", method: "PUT", path: `/api/v1/gates/${f.encoderName}`, body: { json: {} }, expect: 400, field: "rules" },
    { name: "PUT /gates/:name: rules an object", method: "PUT", path: `/api/v1/gates/${f.encoderName}`, body: { json: { rules: { a: 1 } } }, expect: 400, field: "rules" },
    { name: "PUT /gates/:name: labelFraction \"NaN\"", method: "PUT", path: `/api/v1/gates/${f.encoderName}`, body: { json: { rules: [{ method: "x", labelFraction: "NaN" }] } }, expect: 400, field: "rules.0.labelFraction" },
    { name: "PUT /gates/:name: 51 rules", method: "PUT", path: `/api/v1/gates/${f.encoderName}`, body: { json: { rules: Array.from({ length: 51 }, () => ({ method: "x", labelFraction: 0.1 })) } }, expect: 400, field: "rules" },
    { name: "PUT /gates/:name: method of 100k characters", method: "PUT", path: `/api/v1/gates/${f.encoderName}`, body: { json: { rules: [{ method: LONG, labelFraction: 0.1 }] } }, expect: 400, field: "rules.0.method" },
    { name: "PUT /gates/:name: an unknown encoder", method: "PUT", path: "/api/v1/gates/nope", body: { json: { rules: [] } }, expect: 404 },
    { name: "PUT /gates/:name: a name of 201 characters", method: "PUT", path: `/api/v1/gates/${"g".repeat(201)}`, body: { json: { rules: [] } }, expect: 400, field: "name" },
    { name: "PUT /gates/:name: a name with a control character", method: "PUT", path: `/api/v1/gates/a%07b`, body: { json: { rules: [] } }, expect: 400, field: "name" },

    // ---- flags (GrowthBook) ---------------------------------------------------------------
    unauthenticated("GET", `/api/v1/deployments/${f.deployment}/flag`),
    unauthenticated("PUT", `/api/v1/deployments/${f.deployment}/flag`, { json: { rules: [] } }),
    unauthenticated("POST", `/api/v1/deployments/${f.deployment}/assign`, { json: { users: ["u"] } }),
    get("GET /deployments/:name/flag: unknown deployment", "/api/v1/deployments/nope/flag", 404),
    { name: "PUT /deployments/:name/flag: unknown deployment", method: "PUT", path: "/api/v1/deployments/nope/flag", body: { json: { rules: [] } }, expect: 404 },
    ...jsonBoundary("PUT", flag, { rules: [{ kind: "experiment", key: "k", versions: [1, 2] }] }, "rules"),
    { name: "PUT /deployments/:name/flag: rules missing", method: "PUT", path: flag, body: { json: {} }, expect: 400, field: "rules" },
    { name: "PUT /deployments/:name/flag: 21 rules", method: "PUT", path: flag, body: { json: { rules: Array.from({ length: 21 }, () => ({ kind: "force", version: 1 })) } }, expect: 400, field: "rules" },
    { name: "PUT /deployments/:name/flag: a kind unknown", method: "PUT", path: flag, body: { json: { rules: [{ kind: "canary", version: 1 }] } }, expect: 400, field: "rules.0.kind" },
    { name: "PUT /deployments/:name/flag: a version NaN", method: "PUT", path: flag, body: { json: { rules: [{ kind: "force", version: "NaN" }] } }, expect: 400, field: "rules.0.version" },
    { name: "PUT /deployments/:name/flag: a version 1e309", method: "PUT", path: flag, body: { raw: jsonWith({ rules: [{ kind: "force", version: "@@" }] }, "1e309") }, expect: 400, field: "rules.0.version" },
    { name: "PUT /deployments/:name/flag: a version not registered", method: "PUT", path: flag, body: { json: { rules: [{ kind: "force", version: 99 }] } }, expect: 400, field: "rules", reason: /no servable version 99/ },
    { name: "PUT /deployments/:name/flag: coverage 1.5", method: "PUT", path: flag, body: { json: { rules: [{ kind: "force", version: 1, coverage: 1.5 }] } }, expect: 400, field: "rules.0.coverage" },
    { name: "PUT /deployments/:name/flag: weights not summing to 1", method: "PUT", path: flag, body: { json: { rules: [{ kind: "experiment", key: "k", versions: [1, 2], weights: [0.9, 0.9] }] } }, expect: 400, field: "rules.0.weights" },
    { name: "PUT /deployments/:name/flag: one version in an experiment", method: "PUT", path: flag, body: { json: { rules: [{ kind: "experiment", key: "k", versions: [1] }] } }, expect: 400, field: "rules.0.versions" },
    { name: "PUT /deployments/:name/flag: a hash attribute with a space", method: "PUT", path: flag, body: { json: { rules: [{ kind: "force", version: 1, hashAttribute: "user id" }] } }, expect: 400, field: "rules.0.hashAttribute" },
    post("POST /deployments/:name/assign: users missing", `/api/v1/deployments/${f.deployment}/assign`, {}, 400, "users"),
    post("POST /deployments/:name/assign: 10,001 users", `/api/v1/deployments/${f.deployment}/assign`, { users: Array.from({ length: 10_001 }, (_, i) => `u${i}`) }, 400, "users"),
    post("POST /deployments/:name/assign: an empty user", `/api/v1/deployments/${f.deployment}/assign`, { users: [""] }, 400, "users.0"),
    post("POST /deployments/:name/assign: unknown deployment", "/api/v1/deployments/nope/assign", { users: ["u"] }, 404),
    get("GET /api/features/:clientKey: unknown key", "/api/features/sdk-nope", 404, undefined, { anonymous: true }),
    get("GET /api/features/:clientKey: a key that looks like SQL", `/api/features/${enc(SQLI)}`, 404, undefined, { anonymous: true }),
    post("POST /deployments/:name/embed: attributes an array", `/api/v1/deployments/${f.deployment}/embed`, { inputs: [Array(784).fill(0)], attributes: [1] }, 400, "attributes"),
    post("POST /deployments/:name/embed: an attribute an object", `/api/v1/deployments/${f.deployment}/embed`, { inputs: [Array(784).fill(0)], attributes: { plan: { a: 1 } } }, 400, "attributes.plan"),
    { name: "POST /deployments/:name/embed: a user id of 501 characters", method: "POST", path: `/api/v1/deployments/${f.deployment}/embed`, body: { json: { inputs: [Array(784).fill(0)] } }, headers: { "x-pretext-user": "u".repeat(501) }, expect: 400, field: "x-pretext-user" },

    // ---- shadow candidates and ramps ------------------------------------------------------------
    unauthenticated("GET", `/api/v1/deployments/${f.deployment}/shadow`),
    unauthenticated("PUT", `/api/v1/deployments/${f.deployment}/shadow`, { json: { version: 1 } }),
    unauthenticated("DELETE", `/api/v1/deployments/${f.deployment}/shadow`),
    unauthenticated("GET", `/api/v1/deployments/${f.deployment}/ramp`),
    unauthenticated("POST", `/api/v1/deployments/${f.deployment}/ramp`, { json: { version: 2 } }),
    unauthenticated("POST", "/api/v1/ramps/1/pause"),
    get("GET /deployments/:name/shadow: unknown deployment", "/api/v1/deployments/nope/shadow", 404),
    ...["NaN", "0", "-1", "abc", "87601"].map((h) => get(`GET /deployments/:name/shadow: hours ${h}`, `/api/v1/deployments/${f.deployment}/shadow?hours=${h}`, 400, "hours")),
    ...jsonBoundary("PUT", `/api/v1/deployments/${f.deployment}/shadow`, { version: 1 }, "version"),
    { name: "PUT /deployments/:name/shadow: version 0", method: "PUT", path: `/api/v1/deployments/${f.deployment}/shadow`, body: { json: { version: 0 } }, expect: 400, field: "version" },
    { name: "PUT /deployments/:name/shadow: a version not registered", method: "PUT", path: `/api/v1/deployments/${f.deployment}/shadow`, body: { json: { version: 99 } }, expect: 400, field: "version" },
    { name: "PUT /deployments/:name/shadow: share 2", method: "PUT", path: `/api/v1/deployments/${f.deployment}/shadow`, body: { json: { version: 1, share: 2 } }, expect: 400, field: "share" },
    { name: "PUT /deployments/:name/shadow: share NaN", method: "PUT", path: `/api/v1/deployments/${f.deployment}/shadow`, body: { json: { version: 1, share: "NaN" } }, expect: 400, field: "share" },
    { name: "DELETE /deployments/:name/shadow: unknown deployment", method: "DELETE", path: "/api/v1/deployments/nope/shadow", expect: 404 },
    get("GET /deployments/:name/ramp: unknown deployment", "/api/v1/deployments/nope/ramp", 404),
    ...jsonBoundary("POST", `/api/v1/deployments/${f.deployment}/ramp`, { version: 99 }, "version"),
    post("POST /deployments/:name/ramp: version missing", `/api/v1/deployments/${f.deployment}/ramp`, {}, 400, "version"),
    post("POST /deployments/:name/ramp: the production version", `/api/v1/deployments/${f.deployment}/ramp`, { version: 1 }, 400, "version"),
    post("POST /deployments/:name/ramp: a version not registered", `/api/v1/deployments/${f.deployment}/ramp`, { version: 99 }, 400, "version"),
    post("POST /deployments/:name/ramp: shares going down", `/api/v1/deployments/${f.deployment}/ramp`, { version: 99, steps: [{ share: 0.5 }, { share: 0.1 }] }, 400, "steps"),
    post("POST /deployments/:name/ramp: a share of 0", `/api/v1/deployments/${f.deployment}/ramp`, { version: 99, steps: [{ share: 0 }] }, 400, "steps.0.share"),
    post("POST /deployments/:name/ramp: 21 steps", `/api/v1/deployments/${f.deployment}/ramp`, { version: 99, steps: Array.from({ length: 21 }, (_, i) => ({ share: (i + 1) / 21 })) }, 400, "steps"),
    post("POST /deployments/:name/ramp: maxErrorRate 2", `/api/v1/deployments/${f.deployment}/ramp`, { version: 99, guardrails: { maxErrorRate: 2 } }, 400, "guardrails.maxErrorRate"),
    post("POST /deployments/:name/ramp: maxP99Ms \"NaN\"", `/api/v1/deployments/${f.deployment}/ramp`, { version: 99, guardrails: { maxP99Ms: "NaN" } }, 400, "guardrails.maxP99Ms"),
    post("POST /deployments/:name/ramp: a recipient not an address", `/api/v1/deployments/${f.deployment}/ramp`, { version: 99, recipients: ["nobody"] }, 400, "recipients.0"),
    post("POST /deployments/:name/ramp: unknown deployment", "/api/v1/deployments/nope/ramp", { version: 2 }, 404),
    ...BAD_IDS.map(({ raw, expect }) => post(`POST /ramps/:id/pause: id ${raw}`, `/api/v1/ramps/${raw}/pause`, {}, expect, expect === 400 ? "id" : undefined)),
    post("POST /ramps/:id/:action: an unknown action", "/api/v1/ramps/1/explode", {}, 400, "action"),

    // ---- outcome metrics, events and experiment results ---------------------------------------
    unauthenticated("GET", "/api/v1/metrics"),
    unauthenticated("POST", "/api/v1/metrics", { json: { key: "m", kind: "mean" } }),
    unauthenticated("POST", "/api/v1/events", { json: { events: [{ metric: "m", user: "u", value: 1 }] } }),
    unauthenticated("GET", `/api/v1/deployments/${f.deployment}/experiments/ab`),
    ...jsonBoundary("POST", "/api/v1/metrics", { key: "m", kind: "mean" }, "description"),
    post("POST /metrics: key missing", "/api/v1/metrics", { kind: "mean" }, 400, "key"),
    post("POST /metrics: kind unknown", "/api/v1/metrics", { key: "m", kind: "median" }, 400, "kind"),
    post("POST /metrics: goal unknown", "/api/v1/metrics", { key: "m", kind: "mean", goal: "up" }, 400, "goal"),
    post("POST /metrics: key with a backslash", "/api/v1/metrics", { key: "a\\b", kind: "mean" }, 400, "key"),
    ...jsonBoundary("POST", "/api/v1/events", { events: [{ metric: "m", user: "u", value: 1 }] }, "events"),
    post("POST /events: events empty", "/api/v1/events", { events: [] }, 400, "events"),
    post("POST /events: 10,001 events", "/api/v1/events", { events: Array.from({ length: 10_001 }, () => ({ metric: "m", user: "u", value: 1 })) }, 400, "events"),
    post("POST /events: value \"NaN\"", "/api/v1/events", { events: [{ metric: "m", user: "u", value: "NaN" }] }, 400, "events.0.value"),
    rawPost("POST /events: value 1e309", "/api/v1/events", jsonWith({ events: [{ metric: "m", user: "u", value: "@@" }] }, "1e309"), 400, "events.0.value"),
    post("POST /events: an unknown metric", "/api/v1/events", { events: [{ metric: "nope", user: "u", value: 1 }] }, 400, "events.0.metric"),
    post("POST /events: at negative", "/api/v1/events", { events: [{ metric: "m", user: "u", value: 1, at: -1 }] }, 400, "events.0.at"),
    post("POST /events: user of 501 characters", "/api/v1/events", { events: [{ metric: "m", user: "u".repeat(501), value: 1 }] }, 400, "events.0.user"),
    get("GET /deployments/:name/experiments/:key: unknown deployment", "/api/v1/deployments/nope/experiments/ab", 404),
    get("GET /deployments/:name/experiments/:key: a key with a control character", `/api/v1/deployments/${f.deployment}/experiments/a%07b`, 400, "key"),

    // ---- drift monitors and alert rules ----------------------------------------------------
    unauthenticated("GET", `/api/v1/deployments/${f.deployment}/monitors`),
    unauthenticated("POST", `/api/v1/deployments/${f.deployment}/monitors`, { json: validMonitor }),
    unauthenticated("GET", `/api/v1/monitors/${f.monitorId}`),
    unauthenticated("DELETE", `/api/v1/monitors/${f.monitorId}`),
    unauthenticated("POST", `/api/v1/monitors/${f.monitorId}/check`),
    unauthenticated("POST", `/api/v1/monitors/${f.monitorId}/rules`, { json: validRule }),
    unauthenticated("PATCH", `/api/v1/alert-rules/${f.ruleId}`, { json: { enabled: false } }),
    unauthenticated("DELETE", `/api/v1/alert-rules/${f.ruleId}`),
    get("GET /deployments/:name/monitors: unknown deployment", "/api/v1/deployments/nope/monitors", 404),
    post("POST /deployments/:name/monitors: unknown deployment", "/api/v1/deployments/nope/monitors", validMonitor, 404),
    ...jsonBoundary("POST", monitors, validMonitor, "name"),
    post("POST /deployments/:name/monitors: body an array", monitors, [validMonitor], 400, "body"),
    post("POST /deployments/:name/monitors: name missing", monitors, { ...validMonitor, name: undefined }, 400, "name"),
    post("POST /deployments/:name/monitors: a name already taken", monitors, { ...validMonitor, name: "bi-mon" }, 409, "name"),
    post("POST /deployments/:name/monitors: target unknown", monitors, { ...validMonitor, target: "labels" }, 400, "target"),
    post("POST /deployments/:name/monitors: a test unknown", monitors, { ...validMonitor, tests: ["mmd", "t-test"] }, 400, "tests.1"),
    post("POST /deployments/:name/monitors: no tests", monitors, { ...validMonitor, tests: [] }, 400, "tests"),
    post("POST /deployments/:name/monitors: window size \"NaN\"", monitors, { ...validMonitor, window: { kind: "count", size: "NaN" } }, 400, "window.size"),
    rawPost("POST /deployments/:name/monitors: window size 1e309", monitors, jsonWith({ ...validMonitor, window: { kind: "count", size: "@@" } }, "1e309"), 400, "window.size"),
    post("POST /deployments/:name/monitors: window size 10 million", monitors, { ...validMonitor, window: { kind: "count", size: 10_000_000 } }, 400, "window.size"),
    post("POST /deployments/:name/monitors: window of 0 minutes", monitors, { ...validMonitor, window: { kind: "time", minutes: 0 } }, 400, "window.minutes"),
    post("POST /deployments/:name/monitors: window kind unknown", monitors, { ...validMonitor, window: { kind: "hourly" } }, 400, "window.kind"),
    post("POST /deployments/:name/monitors: minSamples over the window", monitors, { ...validMonitor, minSamples: 101 }, 400, "minSamples"),
    post("POST /deployments/:name/monitors: schedule not cron", monitors, { ...validMonitor, schedule: "every minute" }, 400, "schedule"),
    post("POST /deployments/:name/monitors: schedule of six fields", monitors, { ...validMonitor, schedule: "* * * * * *" }, 400, "schedule"),
    post("POST /deployments/:name/monitors: reference data with ..", monitors, { ...validMonitor, reference: { kind: "dataset", data: "../../etc" } }, 400, "reference.data"),
    post("POST /deployments/:name/monitors: reference data an absolute path", monitors, { ...validMonitor, reference: { kind: "dataset", data: "/etc/passwd" } }, 400, "reference.data"),
    post("POST /deployments/:name/monitors: reference size 0", monitors, { ...validMonitor, reference: { kind: "dataset", data: "fashion-mnist", size: 0 } }, 400, "reference.size"),
    post("POST /deployments/:name/monitors: traffic reference backwards", monitors, { ...validMonitor, reference: { kind: "traffic", from: "2026-12-02T00:00:00Z", to: "2026-12-01T00:00:00Z" } }, 400, "reference.to"),
    post("POST /deployments/:name/monitors: traffic reference not a time", monitors, { ...validMonitor, reference: { kind: "traffic", from: "yesterday", to: "2026-12-01T00:00:00Z" } }, 400, "reference.from"),
    post("POST /deployments/:name/monitors: an unknown field", monitors, { ...validMonitor, threshold: 0.05 }, 400),
    ...BAD_IDS.map(({ raw, expect }) => get(`GET /monitors/:id: id ${raw}`, `/api/v1/monitors/${raw}`, expect, expect === 400 ? "id" : undefined)),
    ...BAD_IDS.map(({ raw, expect }) => post(`POST /monitors/:id/check: id ${raw}`, `/api/v1/monitors/${raw}/check`, {}, expect, expect === 400 ? "id" : undefined)),
    ...BAD_IDS.map(({ raw, expect }) => ({ name: `DELETE /monitors/:id: id ${raw}`, method: "DELETE" as const, path: `/api/v1/monitors/${raw}`, expect, field: expect === 400 ? "id" : undefined })),
    post("POST /monitors/:id/rules: unknown monitor", "/api/v1/monitors/99999/rules", validRule, 404),
    ...jsonBoundary("POST", rules, validRule, "name"),
    post("POST /monitors/:id/rules: a figure the monitor does not compute", rules, { ...validRule, figure: "classifier.auc" }, 400, "figure", { reason: /does not compute/ }),
    post("POST /monitors/:id/rules: a figure unknown", rules, { ...validRule, figure: "accuracy" }, 400, "figure"),
    post("POST /monitors/:id/rules: threshold \"NaN\"", rules, { ...validRule, threshold: "NaN" }, 400, "threshold"),
    rawPost("POST /monitors/:id/rules: threshold 1e309", rules, jsonWith({ ...validRule, threshold: "@@" }, "1e309"), 400, "threshold"),
    post("POST /monitors/:id/rules: direction unknown", rules, { ...validRule, direction: "sideways" }, 400, "direction"),
    post("POST /monitors/:id/rules: consecutive 0", rules, { ...validRule, consecutive: 0 }, 400, "consecutive"),
    post("POST /monitors/:id/rules: cooldown -1", rules, { ...validRule, cooldownMinutes: -1 }, 400, "cooldownMinutes"),
    post("POST /monitors/:id/rules: no recipients", rules, { ...validRule, recipients: [] }, 400, "recipients"),
    post("POST /monitors/:id/rules: a recipient not an address", rules, { ...validRule, recipients: ["owner@example.com", "not an address"] }, 400, "recipients.1"),
    post("POST /monitors/:id/rules: a header injected in the sender", rules, { ...validRule, sender: "a@example.com\r\nBcc: x@example.com" }, 400, "sender"),
    post("POST /monitors/:id/rules: 51 recipients", rules, { ...validRule, recipients: Array.from({ length: 51 }, (_, i) => `r${i}@example.com`) }, 400, "recipients"),
    post("POST /monitors/:id/rules: a name already taken", rules, { ...validRule, name: "bi-rule" }, 409, "name"),
    ...jsonBoundary("PATCH", `/api/v1/alert-rules/${f.ruleId}`, { enabled: true }, "name"),
    { name: "PATCH /alert-rules/:id: threshold a string", method: "PATCH", path: `/api/v1/alert-rules/${f.ruleId}`, body: { json: { threshold: "high" } }, expect: 400, field: "threshold" },
    { name: "PATCH /alert-rules/:id: figure of another test", method: "PATCH", path: `/api/v1/alert-rules/${f.ruleId}`, body: { json: { figure: "psi.max" } }, expect: 400, field: "figure" },
    { name: "PATCH /alert-rules/:id: state (not settable)", method: "PATCH", path: `/api/v1/alert-rules/${f.ruleId}`, body: { json: { state: "ok" } }, expect: 400 },
    ...BAD_IDS.map(({ raw, expect }) => ({ name: `PATCH /alert-rules/:id: id ${raw}`, method: "PATCH" as const, path: `/api/v1/alert-rules/${raw}`, body: { json: { enabled: true } }, expect, field: expect === 400 ? "id" : undefined })),
    ...BAD_IDS.map(({ raw, expect }) => ({ name: `DELETE /alert-rules/:id: id ${raw}`, method: "DELETE" as const, path: `/api/v1/alert-rules/${raw}`, expect, field: expect === 400 ? "id" : undefined })),

    // ---- deployments and inference ----------------------------------------------------------------
    unauthenticated("GET", "/api/v1/deployments"),
    unauthenticated("POST", "/api/v1/deployments", { json: { name: "d", encoderName: f.encoderName } }),
    unauthenticated("GET", `/api/v1/deployments/${f.deployment}`),
    unauthenticated("POST", `/api/v1/deployments/${f.deployment}/embed`, { json: { inputs: [[1]] } }),
    ...jsonBoundary("POST", "/api/v1/deployments", { name: "d", encoderName: f.encoderName }, "name"),
    post("POST /deployments: name missing", "/api/v1/deployments", { encoderName: f.encoderName }, 400, "name"),
    post("POST /deployments: name of 100k characters", "/api/v1/deployments", { name: LONG, encoderName: f.encoderName }, 400, "name"),
    post("POST /deployments: sampleRate \"NaN\"", "/api/v1/deployments", { name: "d", encoderName: f.encoderName, sampleRate: "NaN" }, 400, "sampleRate"),
    rawPost("POST /deployments: sampleRate literal NaN", "/api/v1/deployments", jsonWith({ name: "d", encoderName: f.encoderName, sampleRate: "@@" }, "NaN"), 400, "body"),
    post("POST /deployments: sampleRate 2", "/api/v1/deployments", { name: "d", encoderName: f.encoderName, sampleRate: 2 }, 400, "sampleRate"),
    post("POST /deployments: retentionDays 0", "/api/v1/deployments", { name: "d", encoderName: f.encoderName, retentionDays: 0 }, 400, "retentionDays"),
    post("POST /deployments: retentionDays 1.5", "/api/v1/deployments", { name: "d", encoderName: f.encoderName, retentionDays: 1.5 }, 400, "retentionDays"),
    rawPost("POST /deployments: retentionDays 1e309", "/api/v1/deployments", jsonWith({ name: "d", encoderName: f.encoderName, retentionDays: "@@" }, "1e309"), 400, "retentionDays"),
    post("POST /deployments: encoderName unknown", "/api/v1/deployments", { name: "d", encoderName: "nope" }, 404),
    post("POST /deployments: encoderName that looks like SQL", "/api/v1/deployments", { name: "d", encoderName: SQLI }, 404),
    post("POST /deployments: a name already taken", "/api/v1/deployments", { name: f.deployment, encoderName: f.encoderName }, 409, "name"),
    get("GET /deployments/:name: unknown", "/api/v1/deployments/nope", 404),
    get("GET /deployments/:name: invalid UTF-8 (%C3%28)", "/api/v1/deployments/%C3%28", 400, "url", { todo: TODO.pathUtf8 }),
    get("GET /deployments/:name: a lone % (%25)", "/api/v1/deployments/%25", 404, undefined),
    ...["NaN", "Infinity", "1e309", "abc", "-1", "0", "87601"].map((h) => get(`GET /deployments/:name: hours ${h}`, `/api/v1/deployments/${f.deployment}?hours=${h}`, 400, "hours")),
    // the embed route reads `inputs` itself (no zod object), so a body of the wrong type is "inputs: must be an array …"
    ...jsonBoundary("POST", `/api/v1/deployments/${f.deployment}/embed`, { inputs: ["x"] }, "inputs", { field: "inputs" }),
    rawPost("POST /deployments/:name/embed: invalid UTF-8 in an input", `/api/v1/deployments/${f.deployment}/embed`, invalidUtf8('{"inputs":["@@"]}'), 400, "body", { reason: /UTF-8/ }),
    post("POST /deployments/:name/embed: unknown deployment", "/api/v1/deployments/nope/embed", { inputs: [[1]] }, 404),
    post("POST /deployments/:name/embed: a lone % (%25)", "/api/v1/deployments/%25/embed", { inputs: [[1]] }, 404, undefined),
    post("POST /deployments/:name/embed: inputs missing", `/api/v1/deployments/${f.deployment}/embed`, {}, 400, "inputs"),
    post("POST /deployments/:name/embed: inputs a string", `/api/v1/deployments/${f.deployment}/embed`, { inputs: "abc" }, 400, "inputs"),
    post("POST /deployments/:name/embed: inputs empty", `/api/v1/deployments/${f.deployment}/embed`, { inputs: [] }, 400, "inputs"),
    post("POST /deployments/:name/embed: an input of \"NaN\"s", `/api/v1/deployments/${f.deployment}/embed`, { inputs: [Array.from({ length: 784 }, () => "NaN")] }, 400, "inputs.0"),
    post("POST /deployments/:name/embed: null in an input", `/api/v1/deployments/${f.deployment}/embed`, { inputs: [[null, ...Array.from({ length: 783 }, () => 0)]] }, 400, "inputs.0"),
    rawPost("POST /deployments/:name/embed: 1e309 in an input", `/api/v1/deployments/${f.deployment}/embed`, `{"inputs":[[1e309${",0".repeat(783)}]]}`, 400, "inputs.0"),
    post("POST /deployments/:name/embed: too few numbers", `/api/v1/deployments/${f.deployment}/embed`, { inputs: [[1, 2, 3]] }, 400, "inputs.0"),
    post("POST /deployments/:name/embed: too many numbers", `/api/v1/deployments/${f.deployment}/embed`, { inputs: [Array.from({ length: 785 }, () => 0)] }, 400, "inputs.0"),
    post("POST /deployments/:name/embed: an input an object", `/api/v1/deployments/${f.deployment}/embed`, { inputs: [{ a: 1 }] }, 400, "inputs.0"),
    post("POST /deployments/:name/embed: not base64", `/api/v1/deployments/${f.deployment}/embed`, { inputs: ["%%%not base64%%%"] }, 400, "inputs.0"),
    post("POST /deployments/:name/embed: base64 of no image", `/api/v1/deployments/${f.deployment}/embed`, { inputs: [Buffer.from("hello, world").toString("base64")] }, 400, "inputs.0"),
    post("POST /deployments/:name/embed: 1,025 inputs", `/api/v1/deployments/${f.deployment}/embed`, { inputs: Array.from({ length: 1025 }, () => [0]) }, 413, "inputs"),
    rawPost("POST /deployments/:name/embed: a valid batch of 1,024 inputs, 12 MiB of JSON (under the 32 MiB limit)", `/api/v1/deployments/${f.deployment}/embed`, `{"inputs":[${Array.from({ length: 1024 }, () => `[${Array.from({ length: 784 }, () => "0.123456789012").join(",")}]`).join(",")}]}`, 200),

    // ---- jobs and sweeps ------------------------------------------------------------------------
    unauthenticated("POST", "/api/v1/jobs", { json: { config: base } }),
    unauthenticated("POST", "/api/v1/sweeps", { json: validSweep }),
    ...jsonBoundary("POST", "/api/v1/jobs", { name: "x", config: base }, "name"),
    post("POST /jobs: config missing", "/api/v1/jobs", {}, 400, "config"),
    post("POST /jobs: config a string", "/api/v1/jobs", { config: "simclr" }, 400, "config"),
    post("POST /jobs: kind unknown", "/api/v1/jobs", { kind: "mine-bitcoin", config: base }, 400, "kind"),
    post("POST /jobs: optimizer.lr \"NaN\"", "/api/v1/jobs", { config: { ...base, optimizer: { name: "adamw", lr: "NaN" } } }, 400, "config.optimizer.lr"),
    rawPost("POST /jobs: optimizer.lr 1e309", "/api/v1/jobs", jsonWith({ config: { ...base, optimizer: { name: "adamw", lr: "@@" } } }, "1e309"), 400, "config.optimizer.lr"),
    post("POST /jobs: optimizer.lr -1", "/api/v1/jobs", { config: { ...base, optimizer: { name: "adamw", lr: -1 } } }, 400, "config.optimizer.lr"),
    post("POST /jobs: epochs 2147483648", "/api/v1/jobs", { config: { ...base, epochs: 2147483648 } }, 400, "config.epochs"),
    post("POST /jobs: batchSize \"abc\"", "/api/v1/jobs", { config: { ...base, batchSize: "abc" } }, 400, "config.batchSize"),
    post("POST /jobs: config over 1 MiB", "/api/v1/jobs", { config: { ...base, blob: "x".repeat(1024 * 1024) } }, 400, "config"),
    post("POST /jobs: name of 100k characters", "/api/v1/jobs", { name: LONG, config: base }, 400, "name"),
    post("POST /jobs: experiment that looks like SQL but too long", "/api/v1/jobs", { experiment: SQLI.repeat(20), config: base }, 400, "experiment"),
    ...bodyIds("POST", "/api/v1/jobs", { config: base }, "parentRunId"),
    post("POST /jobs: an evaluate job with a bad suite", "/api/v1/jobs", { kind: "evaluate", config: { encoder: { id: ENC }, suite: { dataset: { kind: "fashion-mnist" }, fractions: ["NaN"] } } }, 400, "config.suite.fractions.0"),
    post("POST /jobs: an evaluate job of encoder 0", "/api/v1/jobs", { kind: "evaluate", config: { encoder: { id: 0 }, suite: { dataset: { kind: "fashion-mnist" } } } }, 400, "config.encoder"),
    ...jsonBoundary("POST", "/api/v1/sweeps", { ...validSweep, name: "x" }, "name"),
    post("POST /sweeps: base missing", "/api/v1/sweeps", { ...validSweep, base: undefined }, 400, "base"),
    post("POST /sweeps: method unknown", "/api/v1/sweeps", { ...validSweep, method: "bayes" }, 400, "method"),
    post("POST /sweeps: parameters empty", "/api/v1/sweeps", { ...validSweep, parameters: {} }, 400, "parameters"),
    post("POST /sweeps: a parameter path with ..", "/api/v1/sweeps", { ...validSweep, parameters: { "../x": { values: [1] } } }, 400, "parameters"),
    post("POST /sweeps: a swept value the config refuses", "/api/v1/sweeps", { ...validSweep, parameters: { "optimizer.lr": { values: [-1] } } }, 400, "parameters.optimizer.lr"),
    post("POST /sweeps: budget \"NaN\"", "/api/v1/sweeps", { ...validSweep, budget: "NaN" }, 400, "budget"),
    rawPost("POST /sweeps: budget 1e309", "/api/v1/sweeps", jsonWith({ ...validSweep, budget: "@@" }, "1e309"), 400, "budget"),
    post("POST /sweeps: budget 0", "/api/v1/sweeps", { ...validSweep, budget: 0 }, 400, "budget"),
    post("POST /sweeps: budget 1001", "/api/v1/sweeps", { ...validSweep, budget: 1001 }, 400, "budget"),
    post("POST /sweeps: range min \"NaN\"", "/api/v1/sweeps", { ...validSweep, method: "random", parameters: { "optimizer.lr": { min: "NaN", max: 1 } } }, 400, "parameters.optimizer.lr"),
    post("POST /sweeps: a log range from 0", "/api/v1/sweeps", { ...validSweep, method: "random", parameters: { "optimizer.lr": { min: 0, max: 1, scale: "log" } } }, 400, "parameters.optimizer.lr"),
    post("POST /sweeps: seed 2^53 + 2", "/api/v1/sweeps", { ...validSweep, seed: 2 ** 53 + 2 }, 400, "seed"),
    post("POST /sweeps: metric with SQL", "/api/v1/sweeps", { ...validSweep, metric: SQLI }, 400, "metric"),

    // ---- access: tokens, users, audit, sign-in, password -------------------------------------------
    unauthenticated("GET", "/api/v1/tokens"),
    unauthenticated("POST", "/api/v1/tokens", { json: { name: "t", scopes: ["read"] } }),
    unauthenticated("DELETE", "/api/v1/tokens/1"),
    ...jsonBoundary("POST", "/api/v1/tokens", { name: "t", scopes: ["read"] }, "name"),
    post("POST /tokens: scopes missing", "/api/v1/tokens", { name: "t" }, 400, "scopes"),
    post("POST /tokens: scope unknown", "/api/v1/tokens", { name: "t", scopes: ["root"] }, 400, "scopes.0"),
    post("POST /tokens: scopes empty", "/api/v1/tokens", { name: "t", scopes: [] }, 400, "scopes"),
    post("POST /tokens: expiresInDays \"NaN\"", "/api/v1/tokens", { name: "t", scopes: ["read"], expiresInDays: "NaN" }, 400, "expiresInDays"),
    rawPost("POST /tokens: expiresInDays 1e309", "/api/v1/tokens", jsonWith({ name: "t", scopes: ["read"], expiresInDays: "@@" }, "1e309"), 400, "expiresInDays"),
    post("POST /tokens: expiresInDays -1", "/api/v1/tokens", { name: "t", scopes: ["read"], expiresInDays: -1 }, 400, "expiresInDays"),
    post("POST /tokens: name of 100k characters", "/api/v1/tokens", { name: LONG, scopes: ["read"] }, 400, "name"),
    post("POST /tokens: project unknown", "/api/v1/tokens", { name: "t", scopes: ["read"], project: "nope" }, [400, 404]),
    ...pathIds("DELETE", (id) => `/api/v1/tokens/${id}`),
    unauthenticated("GET", "/api/v1/users"),
    unauthenticated("POST", "/api/v1/users", { json: { name: "u", role: "viewer" } }),
    unauthenticated("PATCH", `/api/v1/users/${f.user}`, { json: { role: "admin" } }),
    unauthenticated("POST", `/api/v1/users/${f.user}/link`),
    ...jsonBoundary("POST", "/api/v1/users", { name: "u", role: "viewer" }, "name"),
    invalidUtf8Case("POST", "/api/v1/users", { role: "viewer" }, "name", {}),
    post("POST /users: role unknown", "/api/v1/users", { name: "u", role: "god" }, 400, "role"),
    post("POST /users: name of 100k characters", "/api/v1/users", { name: LONG, role: "viewer" }, 400, "name"),
    post("POST /users: name a number", "/api/v1/users", { name: 1, role: "viewer" }, 400, "name"),
    post("POST /users: a name already taken", "/api/v1/users", { name: f.user, role: "viewer" }, 409, "name"),
    ...jsonBoundary("PATCH", `/api/v1/users/${f.user}`, { role: "viewer" }, "role"),
    { name: "PATCH /users/:name: role unknown", method: "PATCH", path: `/api/v1/users/${f.user}`, body: { json: { role: "god" } }, expect: 400, field: "role" },
    { name: "PATCH /users/:name: disabled \"yes\"", method: "PATCH", path: `/api/v1/users/${f.user}`, body: { json: { disabled: "yes" } }, expect: 400, field: "disabled" },
    { name: "PATCH /users/:name: unknown user", method: "PATCH", path: "/api/v1/users/nope", body: { json: { role: "viewer" } }, expect: 404 },
    { name: "PATCH /users/:name: a lone % (%25)", method: "PATCH", path: "/api/v1/users/%25", body: { json: { role: "viewer" } }, expect: 404 },
    { name: "PATCH /users/:name: invalid UTF-8 (%C3%28)", method: "PATCH", path: "/api/v1/users/%C3%28", body: { json: { role: "viewer" } }, expect: 400, field: "url", todo: TODO.pathUtf8 },
    post("POST /users/:name/link: unknown user", "/api/v1/users/nope/link", {}, 404),
    post("POST /users/:name/link: a name that looks like SQL", `/api/v1/users/${enc(SQLI)}/link`, {}, 404),
    post("POST /users/:name/link: a lone % (%25)", "/api/v1/users/%25/link", {}, 404, undefined),
    unauthenticated("GET", "/api/v1/audit"),
    ...["NaN", "Infinity", "1e309", "abc", "0", "1001", "1.5"].map((l) => get(`GET /audit: limit ${l}`, `/api/v1/audit?limit=${l}`, 400, "limit")),
    get("GET /audit: before not a date", "/api/v1/audit?before=yesterday", 400, "before"),
    get("GET /audit: actor that looks like SQL", `/api/v1/audit?actor=${enc(SQLI)}`, "ok"),
    get("GET /audit: objectId of 10k characters", `/api/v1/audit?objectId=${"o".repeat(10_000)}`, 400, "objectId"),
    ...jsonBoundary("POST", "/api/v1/auth/sign-in", { name: "admin", password: "x" }, "name"),
    post("POST /auth/sign-in: password missing", "/api/v1/auth/sign-in", { name: "admin" }, 400, "password"),
    post("POST /auth/sign-in: name a number", "/api/v1/auth/sign-in", { name: 1, password: "x" }, 400, "name"),
    post("POST /auth/sign-in: password of 100k characters", "/api/v1/auth/sign-in", { name: "admin", password: LONG }, 400, "password"),
    post("POST /auth/sign-in: a name that looks like SQL", "/api/v1/auth/sign-in", { name: SQLI, password: "x".repeat(12) }, 401, "sign-in"),
    { name: "POST /auth/sign-out: a session cookie that names no session", method: "POST", path: "/api/v1/auth/sign-out", headers: { cookie: `pretext_session=${"x".repeat(5000)}` }, expect: "ok" },
    unauthenticated("POST", "/api/v1/account/password", { json: { password: "x".repeat(12) } }),
    post("POST /account/password: with a token, which has no password", "/api/v1/account/password", { password: "short" }, 403, "password"),

    // ---- the request boundary (middleware) --------------------------------------------------------
    { name: "POST /api/v1/runs: JSON sent as text/plain", method: "POST", path: "/api/v1/runs", body: { raw: "{}" }, headers: { "content-type": "text/plain" }, expect: 415, field: "content-type" },
    { name: "POST /api/v1/runs: another site's Origin", method: "POST", path: "/api/v1/runs", body: { json: {} }, headers: { origin: "https://evil.example" }, expect: 403, field: "origin" },

    // ---- tRPC ---------------------------------------------------------------------------------
    { ...trpcQuery("runs.get", "no token", { id: R }, 401, "authorization"), anonymous: true },
    { ...trpcMutation("runs.create", "no token", { experiment: "bad-input" }, 401, "authorization"), anonymous: true },
    { ...trpcQuery("access.users", "no token", undefined, 401, "authorization"), anonymous: true },
    ...trpcIds("query", "runs.get", {}, "id"),
    ...trpcIds("query", "runs.sweep", {}, "id"),
    ...trpcIds("query", "runs.attempts", {}, "id"),
    ...trpcIds("mutation", "runs.cancel", {}, "id"),
    ...trpcIds("mutation", "runs.setStatus", { status: "finished" }, "id"),
    trpcMutation("runs.setStatus", "status unknown", { id: R, status: "exploded" }, 400, "status"),
    trpcMutation("runs.setStatus", "reason of 100k characters", { id: R, status: "finished", reason: LONG }, 400, "reason"),
    trpcQuery("runs.get", "input invalid JSON (literal NaN)", undefined, 400, "input", { path: `/api/trpc/runs.get?input=${enc('{"json":{"id":NaN}}')}` }),
    trpcQuery("runs.get", "input with invalid UTF-8 (%C3%28)", undefined, 400, "url", { path: "/api/trpc/runs.get?input=%C3%28", todo: `${TODO.queryUtf8}: tRPC's PARSE_ERROR "Unexpected token '\uFFFD' …"` }),
    trpcQuery("runs.get", "input with a raw NUL (%00)", undefined, 400, "url", { path: `/api/trpc/runs.get?input=${enc('{"json":{"id":1}}')}%00` }),
    trpcQuery("runs.get", "id a string with NUL (escaped in JSON)", { id: NUL }, 400, undefined),
    trpcMutation("runs.create", "name of 100k characters", { name: LONG }, 400, "name"),
    trpcMutation("runs.create", "name with NUL", { name: NUL }, 400, "name", { reason: /NUL/ }),
    trpcMutation("runs.create", "a config key with NUL", { config: { ["k\u0000"]: 1 } }, 400, "config", { reason: /NUL/ }),
    trpcMutation("runs.create", "config nested 65 deep", undefined, 400, "config", { body: { raw: `{"json":{"config":${deepObject(65)}}}` }, reason: /nested deeper/ }),
    trpcMutation("runs.create", "config nested 5,000 deep", undefined, 400, "config", {
      body: { raw: `{"json":{"config":${deepObject(5000)}}}` },
      reason: /nested deeper/,
    }),
    trpcMutation("runs.create", "literal NaN (invalid JSON)", undefined, 400, "body", { body: { raw: '{"json":{"name":NaN}}' } }),
    trpcMutation("runs.create", "invalid UTF-8 in the name", undefined, 400, "body", {
      body: { raw: invalidUtf8('{"json":{"experiment":"bad-input","name":"@@"}}') },
      reason: /UTF-8/,
    }),
    trpcMutation("runs.create", "a body over 32 MiB, streamed", undefined, 413, "body", {
      body: { stream: { bytes: JSON_MAX_BYTES + 1024, head: '{"json":{"name":"', fill: "a", tail: '"}}' } },
    }),
    trpcMutation("runs.create", "parentRunId 2147483648", { parentRunId: 2147483648 }, 400, "parentRunId"),
    trpcMutation("runs.create", "parentRunId 99999", { parentRunId: 99999 }, 404),
    trpcMutation("runs.create", "tags with a number", { tags: { a: 1 } }, 400, "tags.a"),
    trpcMutation("runs.launch", "config missing", {}, 400, "config"),
    trpcMutation("runs.launch", "optimizer.lr NaN (superjson)", { config: { ...base, optimizer: { name: "adamw", lr: "NaN" } } }, 400, "config.optimizer.lr", { meta: { "config.optimizer.lr": ["number"] } }),
    trpcMutation("runs.launch", "optimizer.lr Infinity (superjson)", { config: { ...base, optimizer: { name: "adamw", lr: "Infinity" } } }, 400, "config.optimizer.lr", { meta: { "config.optimizer.lr": ["number"] } }),
    trpcMutation("runs.launch", "kind unknown", { kind: "x", config: base }, 400, "kind"),
    trpcMutation("runs.launchSweep", "budget NaN (superjson)", { ...validSweep, budget: "NaN" }, 400, "budget", { meta: { budget: ["number"] } }),
    trpcMutation("runs.launchSweep", "parameters a list", { ...validSweep, parameters: [1] }, 400, "parameters"),
    ...trpcIds("mutation", "runs.launchEvaluation", {}, "runId"),
    trpcMutation("runs.launchEvaluation", "a suite the schema refuses", { runId: R, suite: { dataset: { kind: "fashion-mnist" }, fractions: [2] } }, 400, "config.suite.fractions.0"),
    trpcMutation("runs.launchEvaluation", "suite a string", { runId: R, suite: "quick" }, 400, "suite"),
    ...trpcIds("query", "experiments.get", {}, "id"),
    ...trpcIds("query", "experiments.defaultColumns", {}, "id").map((c) =>
      c.expect === 404 ? { ...c, todo: "defaultColumns answers [] for an unknown experiment, as server/services/runs-table-columns.test.ts asserts; the page checks the experiment itself" } : c,
    ),
    ...trpcIds("query", "experiments.runs", {}, "id"),
    trpcQuery("experiments.runs", "filter SQL", { id: E, filter: SQLI }, 400, "filter"),
    trpcQuery("experiments.runs", "filter a date before year 1", { id: E, filter: 'created > "0000-01-01"' }, 400, "filter"),
    trpcQuery("experiments.runs", "filter a number", { id: E, filter: 5 }, 400, "filter"),
    trpcQuery("experiments.runs", "pageSize NaN (superjson)", { id: E, pageSize: "NaN" }, 400, "pageSize", { meta: { pageSize: ["number"] } }),
    trpcQuery("experiments.runs", "page Infinity (superjson)", { id: E, page: "Infinity" }, 400, "page", { meta: { page: ["number"] } }),
    trpcQuery("experiments.runs", "group \"yes\"", { id: E, group: "yes" }, 400, "group"),
    trpcQuery("experiments.runs", "filter of 10k characters of parentheses", { id: E, filter: "(".repeat(9000) }, 400, "filter"),
    ...trpcIds("query", "metrics.series", { key: "train/loss" }, "runId"),
    trpcQuery("metrics.series", "key missing", { runId: R }, 400, "key"),
    trpcQuery("metrics.series", "key with SQL", { runId: R, key: SQLI }, 400, "key"),
    trpcQuery("metrics.series", "maxPoints NaN (superjson)", { runId: R, key: "train/loss", maxPoints: "NaN" }, 400, "maxPoints", { meta: { maxPoints: ["number"] } }),
    trpcQuery("metrics.series", "maxPoints Infinity (superjson)", { runId: R, key: "train/loss", maxPoints: "Infinity" }, 400, "maxPoints", { meta: { maxPoints: ["number"] } }),
    trpcQuery("metrics.series", "stepTo below stepFrom", { runId: R, key: "train/loss", stepFrom: 5, stepTo: 1 }, 400, "stepTo"),
    trpcQuery("metrics.compare", "runIds empty", { runIds: [] }, 400, "runIds"),
    trpcQuery("metrics.compare", "runIds with 0", { runIds: [0] }, 400, "runIds.0"),
    trpcQuery("metrics.compare", "runIds with 99999", { runIds: [R, 99999] }, 404),
    trpcQuery("metrics.compare", "runIds a string", { runIds: "1,2" }, 400, "runIds"),
    trpcQuery("metrics.compare", "101 runIds", { runIds: Array.from({ length: 101 }, (_, i) => i + 1) }, 400, "runIds"),
    trpcQuery("metrics.compare", "maxPoints NaN (superjson)", { runIds: [R], maxPoints: "NaN" }, 400, "maxPoints", { meta: { maxPoints: ["number"] } }),
    trpcQuery("benchmarks.labelEfficiency", "neither id", {}, 400, "encoderId"),
    ...trpcIds("query", "benchmarks.labelEfficiency", {}, "runId").filter((c) => !c.name.endsWith("missing")),
    trpcQuery("benchmarks.leaderboard", "metric empty", { metric: "" }, 400, "metric"),
    trpcQuery("benchmarks.leaderboard", "benchmark a number", { benchmark: 1 }, 400, "benchmark"),
    ...trpcIds("query", "benchmarks.results", {}, "runId").filter((c) => !c.name.endsWith("missing")),
    ...trpcIds("query", "registry.version", {}, "id"),
    ...trpcIds("query", "registry.compare", { a: ENC }, "b"),
    trpcQuery("registry.versions", "name of 10k characters", { name: "v".repeat(10_000) }, 400, "name"),
    trpcQuery("registry.versions", "name with NUL", { name: NUL }, 400, "name", { reason: /NUL/ }),
    trpcQuery("registry.versions", "name that looks like SQL", { name: SQLI }, "ok"),
    trpcQuery("registry.versionId", "version NaN (superjson)", { name: f.encoderName, version: "NaN" }, 400, "version", { meta: { version: ["number"] } }),
    trpcQuery("registry.versionId", "version 0", { name: f.encoderName, version: 0 }, 400, "version"),
    trpcQuery("registry.versionId", "version 99999", { name: f.encoderName, version: 99999 }, 404),
    trpcMutation("registry.register", "name missing", { runId: R, architecture: "a", embeddingDim: 1 }, 400, "name"),
    trpcMutation("registry.register", "embeddingDim NaN (superjson)", { name: "x", runId: R, architecture: "a", embeddingDim: "NaN" }, 400, "embeddingDim", { meta: { embeddingDim: ["number"] } }),
    trpcMutation("registry.register", "embeddingDim 2147483648", { name: "x", runId: R, architecture: "a", embeddingDim: 2147483648 }, 400, "embeddingDim"),
    trpcMutation("registry.register", "runId 99999", { name: "x", runId: 99999, architecture: "a", embeddingDim: 1 }, 404),
    ...trpcIds("mutation", "registry.changeStage", { stage: "staging", reason: "x" }, "id"),
    trpcMutation("registry.changeStage", "stage unknown", { id: ENC, stage: "heaven", reason: "x" }, 400, "stage"),
    trpcMutation("registry.setGate", "encoderName of 100k characters", { encoderName: LONG, rules: [] }, 400, "encoderName"),
    trpcMutation("registry.setGate", "labelFraction Infinity (superjson)", { encoderName: f.encoderName, rules: [{ method: "x", labelFraction: "Infinity" }] }, 400, "rules.0.labelFraction", { meta: { "rules.0.labelFraction": ["number"] } }),
    trpcQuery("registry.deployments", "encoderName a number", { encoderName: 1 }, 400, "encoderName"),
    trpcMutation("registry.createDeployment", "sampleRate NaN (superjson)", { name: "d", encoderName: f.encoderName, sampleRate: "NaN" }, 400, "sampleRate", { meta: { sampleRate: ["number"] } }),
    ...trpcIds("query", "monitoring.monitor", {}, "id"),
    ...trpcIds("mutation", "monitoring.checkNow", {}, "id"),
    ...trpcIds("mutation", "monitoring.deleteMonitor", {}, "id"),
    ...trpcIds("mutation", "monitoring.deleteRule", {}, "id"),
    trpcQuery("monitoring.deployment", "unknown", { name: "nope" }, 404),
    trpcMutation("monitoring.createMonitor", "window size NaN (superjson)", { deployment: f.deployment, name: "x", target: "embedding", reference: { kind: "dataset", data: "fashion-mnist" }, window: { kind: "count", size: "NaN" } }, 400, "window.size", { meta: { "window.size": ["number"] } }),
    trpcMutation("monitoring.createRule", "threshold Infinity (superjson)", { monitorId: f.monitorId, name: "x", figure: "mmd.p_value", direction: "below", threshold: "Infinity", recipients: ["a@example.com"] }, 400, "threshold", { meta: { threshold: ["number"] } }),
    trpcMutation("monitoring.updateRule", "update.consecutive 0", { id: f.ruleId, update: { consecutive: 0 } }, 400, "update.consecutive"),
    trpcMutation("registry.createDeployment", "retentionDays Infinity (superjson)", { name: "d", encoderName: f.encoderName, retentionDays: "Infinity" }, 400, "retentionDays", { meta: { retentionDays: ["number"] } }),
    trpcMutation("access.createUser", "role unknown", { name: "u", role: "god" }, 400, "role"),
    trpcMutation("access.createUser", "name with NUL", { name: NUL, role: "viewer" }, 400, "name", { reason: /NUL/ }),
    trpcMutation("access.updateUser", "disabled \"yes\"", { name: f.user, disabled: "yes" }, 400, "disabled"),
    trpcMutation("access.updateUser", "unknown user", { name: "nope", role: "viewer" }, 404),
    trpcMutation("access.signInLink", "name missing", {}, 400, "name"),
    trpcMutation("access.signInLink", "unknown user", { name: "nope" }, 404),
    trpcMutation("access.createToken", "expiresInDays NaN (superjson)", { name: "t", scopes: ["read"], expiresInDays: "NaN" }, 400, "expiresInDays", { meta: { expiresInDays: ["number"] } }),
    trpcMutation("access.createToken", "scopes a string", { name: "t", scopes: "read" }, 400, "scopes"),
    ...trpcIds("mutation", "access.revokeToken", {}, "id"),
    trpcQuery("access.audit", "limit NaN (superjson)", { limit: "NaN" }, 400, "limit", { meta: { limit: ["number"] } }),
    trpcQuery("access.audit", "limit 1001", { limit: 1001 }, 400, "limit"),
    trpcQuery("access.audit", "before a number", { before: 5 }, "ok"),
  ];
}

// ---------------------------------------------------------------------------------------------
// sending and judging

function bodyOf(b: Body | undefined): { body?: BodyInit; duplex?: "half" } {
  if (!b) return {};
  if ("json" in b) return { body: JSON.stringify(b.json) };
  if ("raw" in b) return { body: b.raw as BodyInit };
  const { bytes, head = "", fill = "\u0001", tail = "" } = b.stream;
  const chunk = Buffer.alloc(1024 * 1024, fill);
  let left = bytes - head.length - tail.length;
  let sentHead = false;
  let sentTail = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (!sentHead) {
        sentHead = true;
        if (head) return controller.enqueue(Buffer.from(head));
      }
      if (left > 0) {
        const n = Math.min(left, chunk.length);
        left -= n;
        return controller.enqueue(chunk.subarray(0, n));
      }
      if (!sentTail) {
        sentTail = true;
        if (tail) return controller.enqueue(Buffer.from(tail));
      }
      controller.close();
    },
  });
  return { body: stream, duplex: "half" };
}

interface Answer {
  status: number;
  /** the error text: `error` of a REST answer, `error.json.message` of a tRPC one */
  error?: string;
  text: string;
}

async function send(app: AppServer, c: Case): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (c.method !== "GET" && c.method !== "DELETE") headers["content-type"] = c.path.includes("/artifacts/") ? "application/octet-stream" : "application/json";
  Object.assign(headers, c.headers);
  const init = { method: c.method, headers, ...bodyOf(c.body) } as RequestInit;
  const res = c.anonymous ? await fetch(`${app.url}${c.path}`, init) : await app.fetch(c.path, init);
  const text = await res.text();
  let error: string | undefined;
  try {
    const parsed = JSON.parse(text) as { error?: unknown } | { error?: unknown }[];
    const e = (Array.isArray(parsed) ? parsed[0] : parsed)?.error as unknown;
    error = typeof e === "string" ? e : ((e as { json?: { message?: string } } | undefined)?.json?.message ?? undefined);
  } catch {
    /* not JSON: judged below */
  }
  return { status: res.status, error, text };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The answer a case must get; throws an AssertionError saying what came back. */
function judge(c: Case, a: Answer) {
  const seen = `${a.status} ${a.text.slice(0, 300)}`;
  assert.ok(a.status < 500, `a server error: ${seen}`);
  if (c.expect === "ok") return;
  const expected = Array.isArray(c.expect) ? c.expect : [c.expect];
  assert.ok(expected.includes(a.status), `expected ${expected.join(" or ")}, got ${seen}`);
  if (a.status < 300) return;
  assert.ok(a.error !== undefined, `no JSON error message: ${seen}`);
  if (a.status === 404) {
    assert.match(a.error!, /not found/, `a 404 that does not say what was not found: ${seen}`);
    return;
  }
  // "<field>: <reason>" (a field may hold the offending key, spaces and all)
  assert.match(a.error!, /^\S[^\n]*?: \S/, `not "<field>: <reason>": ${seen}`);
  assert.doesNotMatch(a.error!, /^\(root\)|internal error/, `names no field: ${seen}`);
  if (c.field !== undefined) assert.match(a.error!, new RegExp(`^${escape(c.field)}(: |\\.)`), `does not name ${c.field}: ${seen}`);
  if (c.reason) assert.match(a.error!, c.reason, `the reason does not match ${c.reason}: ${seen}`);
}

// ---------------------------------------------------------------------------------------------
// what is stored

function filesUnder(dir: string): string[] {
  try {
    return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import("node:fs").Dirent[])
      .filter((d) => d.isFile())
      .map((d) => path.relative(dir, path.join(d.parentPath, d.name)))
      .sort();
  } catch {
    return [];
  }
}

/** Rows of every table, except the request log (a refused embed is logged by design, after the answer) and refusals in the audit log. */
async function countRows(db: pg.Client): Promise<Record<string, number>> {
  const { rows: tables } = await db.query<{ schema: string; name: string }>(
    `select table_schema as schema, table_name as name from information_schema.tables
     where table_type = 'BASE TABLE' and (table_schema = 'public' or (table_schema = 'pgboss' and table_name in ('job', 'archive')))
       and table_name not in ('inference_requests', 'inference_samples') order by 1, 2`,
  );
  const parts = tables.map(({ schema, name }) => {
    const where = name === "audit_events" ? ` where action <> 'auth.refused'` : "";
    return `select '${schema}.${name}' as t, count(*)::int as n from "${schema}"."${name}"${where}`;
  });
  const { rows } = await db.query<{ t: string; n: number }>(parts.join(" union all "));
  const counts: Record<string, number> = {};
  // pg-boss moves jobs between its tables by itself: its jobs are counted together
  for (const { t, n } of rows) {
    const key = t.startsWith("pgboss.") ? "pgboss jobs" : t;
    counts[key] = (counts[key] ?? 0) + n;
  }
  return counts;
}

/** Tables whose row count changed (a table that appeared empty, as pg-boss's on first use, is no write). */
const diff = (a: Record<string, number>, b: Record<string, number>) =>
  [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => (a[k] ?? 0) !== (b[k] ?? 0)).map((k) => `${k} ${a[k] ?? 0} → ${b[k] ?? 0}`);

// ---------------------------------------------------------------------------------------------

describe("bad input: every route under /api/v1 and every tRPC procedure answers 4xx, stores nothing", () => {
  let app: AppServer;
  let db: pg.Client;
  let dropDatabase: () => Promise<void>;
  let fixture: Fixture;
  const tally = { requests: 0, "2xx": 0, "4xx": 0, "5xx": 0, other: 0, todo: 0, failed: 0 };
  const fiveHundreds: string[] = [];

  before(async () => {
    const pgDb = await createPostgresDatabase();
    dropDatabase = pgDb.drop;
    app = await startApp({ DATABASE_URL: pgDb.url, PRETEXT_EMBEDDED_WORKER: "0", PRETEXT_ARTIFACT_MAX_BYTES: String(ARTIFACT_MAX_BYTES) }, NEXT_MODE);
    db = new pg.Client({ connectionString: pgDb.url });
    await db.connect();

    // the writes this test intends: what the corpus aims at
    const call = async (method: Method, p: string, body?: unknown, type = "application/json") => {
      const res = await app.fetch(p, { method, headers: { "content-type": type }, body: body === undefined ? undefined : body instanceof Uint8Array ? (body as BodyInit) : JSON.stringify(body) });
      const text = await res.text();
      assert.ok(res.ok, `setup ${method} ${p}: ${res.status} ${text}`);
      return text ? JSON.parse(text) : null;
    };
    const run = await call("POST", "/api/v1/runs", { experiment: "bad-input", name: "target", config: { method: "simclr" } });
    const scratch = await call("POST", "/api/v1/runs", { experiment: "bad-input", name: "scratch" });
    await call("POST", `/api/v1/runs/${run.id}/log`, { params: { lr: 0.001 }, metrics: Array.from({ length: 20 }, (_, i) => ({ key: "train/loss", step: i, value: 1 / (i + 1) })) });
    await call("PUT", `/api/v1/runs/${run.id}/artifacts/ok.bin`, new Uint8Array([1, 2, 3, 4]), "application/octet-stream");
    await call("PUT", `/api/v1/runs/${run.id}/artifacts/encoder.ptx?kind=encoder`, new Uint8Array(ENCODER_FILE), "application/octet-stream");
    const encoder = await call("POST", "/api/v1/encoders", { name: "bi-enc", runId: run.id, artifactName: "encoder.ptx" });
    await call("POST", `/api/v1/encoders/${encoder.id}/stage`, { stage: "production", reason: "the bad-input corpus embeds with it" });
    await call("POST", "/api/v1/deployments", { name: "bi-dep", encoderName: "bi-enc" });
    await call("POST", "/api/v1/datasets", { name: "bi-ds", source: "file:///data", format: "idx", checksum: "a".repeat(32), shape: [28, 28], count: 10, hasLabels: true });
    await call("POST", "/api/v1/users", { name: "bi-user", role: "viewer" });
    const monitor = await call("POST", "/api/v1/deployments/bi-dep/monitors", { name: "bi-mon", target: "embedding", reference: { kind: "dataset", data: "fashion-mnist" }, window: { kind: "count", size: 100 }, schedule: null });
    const rule = await call("POST", `/api/v1/monitors/${monitor.id}/rules`, { name: "bi-rule", figure: "mmd.p_value", direction: "below", threshold: 0.01, recipients: ["owner@example.com"] });
    fixture = {
      runId: run.id,
      scratchRunId: scratch.id,
      experimentId: run.experimentId,
      encoderId: encoder.id,
      encoderName: "bi-enc",
      deployment: "bi-dep",
      user: "bi-user",
      datasetName: "bi-ds",
      monitorId: monitor.id,
      ruleId: rule.id,
    };
  });

  after(async () => {
    const { requests, todo, failed } = tally;
    console.log(
      `bad-input corpus: ${requests} requests, ${tally["4xx"]} 4xx, ${tally["5xx"]} 5xx, ${tally["2xx"]} 2xx, ${tally.other} other; ${todo} todo, ${failed} failed` +
        (fiveHundreds.length ? `\n5xx: ${fiveHundreds.join("\n     ")}` : ""),
    );
    if (app) {
      // what the server printed (the stack of every 500 among it)
      mkdirSync("test-output", { recursive: true });
      writeFileSync("test-output/bad-input-server.log", app.log());
    }
    await db?.end();
    await app?.stop();
    await dropDatabase?.();
  });

  it("answers every case with a 4xx naming the field, and stores nothing", async (t) => {
    const artifactDir = path.join(app.home, "artifacts");
    let rows = await countRows(db);
    let files = filesUnder(artifactDir);
    const cases = corpus(fixture);
    const names = new Set<string>();
    for (const c of cases) {
      assert.ok(!names.has(c.name), `two cases named ${c.name}`);
      names.add(c.name);
      await t.test(c.name, { todo: c.todo }, async () => {
        let answer: Answer;
        try {
          answer = await send(app, c);
        } catch (err) {
          tally.requests++;
          tally.other++;
          if (c.todo) tally.todo++;
          else tally.failed++;
          throw new Error(`no answer: ${(err as Error).message} ${(err as { cause?: Error }).cause?.message ?? ""}`);
        }
        tally.requests++;
        const cls = answer.status >= 500 ? "5xx" : answer.status >= 400 ? "4xx" : answer.status >= 200 && answer.status < 300 ? "2xx" : "other";
        tally[cls]++;
        if (cls === "5xx") fiveHundreds.push(`${c.method} ${c.path.slice(0, 120)} (${c.name}): ${answer.status} ${answer.text.slice(0, 200)}`);
        const rowsNow = await countRows(db);
        const filesNow = filesUnder(artifactDir);
        const wrote = [...diff(rows, rowsNow), ...filesNow.filter((x) => !files.includes(x)).map((x) => `new file ${x}`), ...files.filter((x) => !filesNow.includes(x)).map((x) => `file gone ${x}`)];
        rows = rowsNow;
        files = filesNow;
        const problems: string[] = [];
        try {
          judge(c, answer);
        } catch (err) {
          problems.push((err as Error).message);
        }
        if (!c.writes && wrote.length) problems.push(`stored something: ${wrote.join(", ")}`);
        if (problems.length) {
          if (c.todo) tally.todo++;
          else tally.failed++;
          assert.fail(problems.join("; and "));
        }
      });
    }
  });

  it(
    "threw nothing the server did not catch",
    {
      todo:
        'each artifact upload refused with 413 leaves "uncaughtException: TypeError: Invalid state: ReadableStream is already closed" in the server log: ' +
        "the store stops reading (its pipeline destroys the Readable.fromWeb of the body) while Next still enqueues the rest of the upload (app/api/v1/runs/[id]/artifacts/[...name]/route.ts)",
    },
    () => {
      const uncaught = app.log().split("\n").filter((line) => /uncaughtException|unhandledRejection/.test(line));
      assert.deepEqual(uncaught, []);
    },
  );

  it("kept what was stored before: the target run, its series and its artifact", async () => {
    const res = await app.fetch(`/api/v1/runs/${fixture.runId}`);
    const body = (await res.json()) as { status: string; params: Record<string, unknown>; tags: Record<string, string>; metrics: { key: string }[]; artifacts: { name: string; bytes: number }[] };
    assert.equal(res.status, 200);
    assert.equal(body.status, "running");
    assert.deepEqual(body.params, { lr: 0.001 });
    assert.deepEqual(body.tags, {});
    assert.deepEqual(body.metrics.map((m) => m.key), ["train/loss"]);
    assert.deepEqual(body.artifacts.map((a) => [a.name, a.bytes]).filter(([n]) => !String(n).startsWith("exports/")), [["encoder.ptx", ENCODER_FILE.length], ["ok.bin", 4]]);
    const bytes = new Uint8Array(await (await app.fetch(`/api/v1/runs/${fixture.runId}/artifacts/ok.bin`)).arrayBuffer());
    assert.deepEqual([...bytes], [1, 2, 3, 4]);
    const series = (await (await app.fetch(`/api/v1/runs/${fixture.runId}/metrics/train/loss`)).json()) as { total: number };
    assert.equal(series.total, 20);
    // the runs table survived every "drop table"
    const { rows } = await db.query<{ n: number }>("select count(*)::int as n from runs");
    assert.ok(rows[0].n >= 2);
  });
});

describe("bad input: an artifact over 10 MiB (the default limit is 2 GiB)", () => {
  let app: AppServer;
  before(async () => {
    app = await startApp({ PRETEXT_EMBEDDED_WORKER: "0" }, NEXT_MODE);
  });
  after(async () => app?.stop());

  it(
    "is stored whole, or refused: never cut short",
    {},
    async () => {
      const run = (await (await app.fetch("/api/v1/runs", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ experiment: "bad-input" }) })).json()) as { id: number };
      const bytes = 11 * 1024 * 1024;
      const { body, duplex } = bodyOf({ stream: { bytes } });
      const put = await app.fetch(`/api/v1/runs/${run.id}/artifacts/checkpoint.bin`, { method: "PUT", headers: { "content-type": "application/octet-stream" }, body, duplex } as RequestInit);
      const stored = (await put.json()) as { bytes?: number; error?: string };
      if (put.status === 201) assert.equal(stored.bytes, bytes, `a 201 for ${stored.bytes} of the ${bytes} bytes sent`);
      else assert.ok(put.status >= 400 && put.status < 500, `${put.status} ${JSON.stringify(stored)}`);
    },
  );
});
