/**
 * The one schema of Pretext, shared by PGlite (embedded) and PostgreSQL.
 * Migrations in drizzle/migrations are generated from this file by `npm run db:generate`.
 */
import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  serial,
  text,
  timestamp,
  uniqueIndex,
  type AnyPgColumn,
} from "drizzle-orm/pg-core";

const createdAt = () => timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow();

export const projects = pgTable("projects", {
  id: serial("id").primaryKey(),
  name: text("name").notNull().unique(),
  description: text("description").notNull().default(""),
  createdAt: createdAt(),
});

export const experiments = pgTable(
  "experiments",
  {
    id: serial("id").primaryKey(),
    projectId: integer("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("experiments_project_name").on(t.projectId, t.name)],
);

export const runStatuses = ["queued", "running", "finished", "failed", "cancelled"] as const;
export type RunStatus = (typeof runStatuses)[number];

export const runs = pgTable(
  "runs",
  {
    id: serial("id").primaryKey(),
    experimentId: integer("experiment_id").notNull().references(() => experiments.id, { onDelete: "cascade" }),
    /** a sweep's parent run; trials point at it */
    parentRunId: integer("parent_run_id"),
    name: text("name").notNull(),
    status: text("status", { enum: runStatuses }).notNull().default("running"),
    /** why a run failed (or was cancelled) */
    statusReason: text("status_reason"),
    /** TensorFlow.js backend that executed it (tensorflow-gpu, webgpu, tensorflow, wasm, cpu), when known */
    backend: text("backend"),
    /** what ran the backend's kernels: the GPU adapter ("NVIDIA H200 (nvidia)") or the processor */
    device: text("device"),
    /** worker that executed it, when run by a worker */
    worker: text("worker"),
    config: jsonb("config").$type<Record<string, unknown>>().notNull().default({}),
    /** the queue job executing the run, when it was launched as a job */
    jobKind: text("job_kind"),
    jobId: text("job_id"),
    tags: jsonb("tags").$type<Record<string, string>>().notNull().default({}),
    notes: text("notes").notNull().default(""),
    createdAt: createdAt(),
    startedAt: timestamp("started_at", { withTimezone: true, mode: "date" }),
    endedAt: timestamp("ended_at", { withTimezone: true, mode: "date" }),
    /** the last sign of life of a client that runs it itself (POST /runs/:id/heartbeat); logged metrics count too */
    heartbeatAt: timestamp("heartbeat_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [index("runs_experiment").on(t.experimentId, t.createdAt), index("runs_parent").on(t.parentRunId)],
);

export const paramTypes = ["string", "number", "boolean", "null"] as const;

export const experimentKeyKinds = ["param", "metric"] as const;

/**
 * The param and metric keys an experiment's runs have logged, kept on ingest so the runs table's
 * column chooser does not scan every run's params and metrics (stale keys of deleted runs are harmless).
 */
export const experimentKeys = pgTable(
  "experiment_keys",
  {
    experimentId: integer("experiment_id").notNull().references(() => experiments.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: experimentKeyKinds }).notNull(),
    key: text("key").notNull(),
  },
  (t) => [primaryKey({ columns: [t.experimentId, t.kind, t.key] })],
);

/** One typed parameter of a run; the value is kept as text plus its type so any language can log it. */
export const params = pgTable(
  "params",
  {
    runId: integer("run_id").notNull().references(() => runs.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    type: text("type", { enum: paramTypes }).notNull(),
    value: text("value").notNull(),
    /** set when type is number, so params sort and filter numerically */
    numberValue: doublePrecision("number_value"),
  },
  (t) => [primaryKey({ columns: [t.runId, t.key] })],
);

/**
 * One metric series of a run, with a summary kept current on every batch so run tables can show
 * and sort by the latest value without touching the points.
 */
export const metrics = pgTable(
  "metrics",
  {
    id: serial("id").primaryKey(),
    runId: integer("run_id").notNull().references(() => runs.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    lastStep: bigint("last_step", { mode: "number" }),
    lastValue: doublePrecision("last_value"),
    minValue: doublePrecision("min_value"),
    maxValue: doublePrecision("max_value"),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("metrics_run_key").on(t.runId, t.key)],
);

/**
 * Points are keyed by (metric, step): a retried batch overwrites instead of duplicating.
 * No foreign key on metric_id: its per-row check halved COPY throughput; ingestion resolves the
 * metric id itself, and deleting a series deletes its points explicitly.
 */
export const metricPoints = pgTable(
  "metric_points",
  {
    metricId: integer("metric_id").notNull(),
    step: bigint("step", { mode: "number" }).notNull(),
    /** ms since the epoch */
    wallTime: bigint("wall_time", { mode: "number" }).notNull(),
    /** NaN and ±Infinity are kept as logged */
    value: doublePrecision("value").notNull(),
  },
  (t) => [primaryKey({ columns: [t.metricId, t.step] })],
);

/** Steps per block of `metric_blocks`. Changing it needs a migration that rebuilds the blocks. */
export const METRIC_BLOCK_STEPS = 256;

/**
 * A summary of each METRIC_BLOCK_STEPS-wide step range of a series: its first, last, minimum and
 * maximum point. Kept current on ingest so a million-point series downsamples from a few thousand
 * rows instead of a full scan. min/max ignore NaN and ±Infinity; has_non_finite marks a gap.
 */
export const metricBlocks = pgTable(
  "metric_blocks",
  {
    metricId: integer("metric_id").notNull().references(() => metrics.id, { onDelete: "cascade" }),
    block: bigint("block", { mode: "number" }).notNull(),
    count: integer("count").notNull(),
    firstStep: bigint("first_step", { mode: "number" }).notNull(),
    firstValue: doublePrecision("first_value").notNull(),
    firstWall: bigint("first_wall", { mode: "number" }).notNull(),
    lastStep: bigint("last_step", { mode: "number" }).notNull(),
    lastValue: doublePrecision("last_value").notNull(),
    lastWall: bigint("last_wall", { mode: "number" }).notNull(),
    minStep: bigint("min_step", { mode: "number" }),
    minValue: doublePrecision("min_value"),
    minWall: bigint("min_wall", { mode: "number" }),
    maxStep: bigint("max_step", { mode: "number" }),
    maxValue: doublePrecision("max_value"),
    maxWall: bigint("max_wall", { mode: "number" }),
    hasNonFinite: boolean("has_non_finite").notNull(),
  },
  (t) => [primaryKey({ columns: [t.metricId, t.block] })],
);

export const artifacts = pgTable(
  "artifacts",
  {
    id: serial("id").primaryKey(),
    runId: integer("run_id").notNull().references(() => runs.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** checkpoint, encoder, embeddings, report, file, ... */
    kind: text("kind").notNull().default("file"),
    bytes: bigint("bytes", { mode: "number" }).notNull(),
    sha256: text("sha256").notNull(),
    /** key inside the artifact store */
    storagePath: text("storage_path").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("artifacts_run_name").on(t.runId, t.name)],
);

export type DatasetSplits = Record<string, { count: number; labeled: boolean }>;

export const datasets = pgTable("datasets", {
  id: serial("id").primaryKey(),
  name: text("name").notNull().unique(),
  /** where it came from: a directory, a URL, a built-in name */
  source: text("source").notNull(),
  format: text("format").notNull(),
  checksum: text("checksum").notNull(),
  /** shape of one example, e.g. [28, 28, 1] */
  shape: jsonb("shape").$type<number[]>().notNull(),
  count: integer("count").notNull(),
  hasLabels: boolean("has_labels").notNull().default(false),
  numClasses: integer("num_classes"),
  splits: jsonb("splits").$type<DatasetSplits>().notNull().default({}),
  createdAt: createdAt(),
});

export const encoderStages = ["none", "staging", "production", "archived"] as const;
export const encoderFormats = ["pretext", "onnx"] as const;

/** How a served encoder is called; validated by server/registry/model-spec.ts. */
export interface ModelSpec {
  shape: number[];
  layout: "nhwc" | "nchw" | "flat";
  scale: number;
  mean?: number[];
  std?: number[];
  inputName: string;
  embeddingOutput: string;
  probabilitiesOutput?: string;
}

/** "<method> at <labelFraction> ≥ <baseline method, or 0> + margin" on a benchmark; validated by server/registry/gates.ts. */
export interface GateRule {
  benchmark?: string;
  method: string;
  labelFraction: number;
  metric: string;
  baseline?: string;
  margin: number;
}

/** One gate rule evaluated against a version's stored results (means over seeds). */
export interface GateCheck {
  rule: GateRule;
  passed: boolean;
  value: number | null;
  required: number | null;
  detail: string;
}

/** A registered encoder version, with lineage to the run and checkpoint that produced it. */
export const encoders = pgTable(
  "encoders",
  {
    id: serial("id").primaryKey(),
    name: text("name").notNull(),
    version: integer("version").notNull(),
    runId: integer("run_id").references(() => runs.id, { onDelete: "set null" }),
    artifactId: integer("artifact_id").references(() => artifacts.id, { onDelete: "set null" }),
    datasetId: integer("dataset_id").references(() => datasets.id, { onDelete: "set null" }),
    architecture: text("architecture").notNull(),
    embeddingDim: integer("embedding_dim").notNull(),
    stage: text("stage", { enum: encoderStages }).notNull().default("none"),
    description: text("description").notNull().default(""),
    /** "pretext": weights in a Pretext encoder file, exported to ONNX; "onnx": an ONNX model from elsewhere */
    format: text("format", { enum: encoderFormats }).notNull().default("pretext"),
    /** How to call the served model (server/registry/model-spec.ts); null until it has an ONNX model */
    modelSpec: jsonb("model_spec").$type<ModelSpec>(),
    /** The ONNX model that serving loads (exported or imported), with its sha256 */
    onnxArtifactId: integer("onnx_artifact_id").references(() => artifacts.id, { onDelete: "set null" }),
    /** A classification head from an evaluation run ("head.ptx"), exported with the encoder */
    headArtifactId: integer("head_artifact_id").references(() => artifacts.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("encoders_name_version").on(t.name, t.version),
    // at most one version of a name serves production, even when two promotions race
    uniqueIndex("encoders_one_production").on(t.name).where(sql`${t.stage} = 'production'`),
  ],
);

/** Every stage change of an encoder version: who, when, why, and the gate checks it passed. */
export const encoderStageChanges = pgTable(
  "encoder_stage_changes",
  {
    id: serial("id").primaryKey(),
    encoderId: integer("encoder_id")
      .notNull()
      .references(() => encoders.id, { onDelete: "cascade" }),
    fromStage: text("from_stage", { enum: encoderStages }).notNull(),
    toStage: text("to_stage", { enum: encoderStages }).notNull(),
    actor: text("actor").notNull(),
    reason: text("reason").notNull(),
    gateChecks: jsonb("gate_checks").$type<GateCheck[]>().notNull().default([]),
    createdAt: createdAt(),
  },
  (t) => [index("encoder_stage_changes_encoder").on(t.encoderId)],
);

/** The promotion gate of an encoder name: every rule must hold for a version to reach production. */
export const encoderGates = pgTable("encoder_gates", {
  encoderName: text("encoder_name").primaryKey(),
  rules: jsonb("rules").$type<GateRule[]>().notNull(),
  updatedBy: text("updated_by").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});

/** A named endpoint serving the production version of an encoder. */
export const deployments = pgTable("deployments", {
  id: serial("id").primaryKey(),
  name: text("name").notNull().unique(),
  encoderName: text("encoder_name").notNull(),
  /** Fraction of served samples whose input and embedding are kept (0 keeps none) */
  sampleRate: doublePrecision("sample_rate").notNull().default(0.01),
  /** Days request logs and samples are kept */
  retentionDays: integer("retention_days").notNull().default(30),
  createdBy: text("created_by").notNull(),
  createdAt: createdAt(),
});

/** One served request: which version answered, how fast, how many samples, or why it failed. */
export const inferenceRequests = pgTable(
  "inference_requests",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    deploymentId: integer("deployment_id")
      .notNull()
      .references(() => deployments.id, { onDelete: "cascade" }),
    encoderId: integer("encoder_id").references(() => encoders.id, { onDelete: "set null" }),
    at: timestamp("at", { withTimezone: true, mode: "date" }).notNull(),
    latencyMs: doublePrecision("latency_ms").notNull(),
    samples: integer("samples").notNull(),
    /** 200, or the 4xx/5xx the request got */
    status: integer("status").notNull(),
    error: text("error"),
  },
  (t) => [index("inference_requests_deployment_at").on(t.deploymentId, t.at)],
);

/** A sampled input with the embedding the serving version gave it (drift monitoring reads these). */
export const inferenceSamples = pgTable(
  "inference_samples",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    deploymentId: integer("deployment_id")
      .notNull()
      .references(() => deployments.id, { onDelete: "cascade" }),
    encoderId: integer("encoder_id").references(() => encoders.id, { onDelete: "set null" }),
    at: timestamp("at", { withTimezone: true, mode: "date" }).notNull(),
    /** the raw input values, as the request sent them (before preprocessing) */
    input: real("input").array().notNull(),
    embedding: real("embedding").array().notNull(),
  },
  (t) => [index("inference_samples_deployment_at").on(t.deploymentId, t.at)],
);

/** One measured number of an encoder on a benchmark: e.g. linear probe accuracy at 1 % labels, seed 2. */
export const benchmarkResults = pgTable(
  "benchmark_results",
  {
    id: serial("id").primaryKey(),
    /** null for baselines that use no encoder (supervised from scratch, raw-input probe) */
    encoderId: integer("encoder_id").references(() => encoders.id, { onDelete: "cascade" }),
    runId: integer("run_id").references(() => runs.id, { onDelete: "cascade" }),
    benchmark: text("benchmark").notNull(),
    /** linear_probe, knn_k<k>, adapter, finetune, fixmatch, supervised, raw_linear */
    method: text("method").notNull(),
    labelFraction: doublePrecision("label_fraction").notNull(),
    seed: integer("seed").notNull(),
    metric: text("metric").notNull(),
    value: doublePrecision("value").notNull(),
    /** what the protocol chose on validation and what it cost, e.g. {policy: "crop", lr: 0.002, steps: 600, budgetSteps: 4200} */
    settings: jsonb("settings").$type<Record<string, number | string>>(),
    createdAt: createdAt(),
  },
  (t) => [index("benchmark_results_encoder").on(t.encoderId, t.benchmark), index("benchmark_results_run").on(t.runId)],
);

/** A worker process: registered at start, heartbeating while alive. */
export const workers = pgTable("workers", {
  id: text("id").primaryKey(),
  hostname: text("hostname").notNull(),
  pid: integer("pid").notNull(),
  backend: text("backend"),
  concurrency: integer("concurrency").notNull(),
  startedAt: timestamp("started_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  heartbeatAt: timestamp("heartbeat_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  stoppedAt: timestamp("stopped_at", { withTimezone: true, mode: "date" }),
});

export const attemptOutcomes = ["running", "finished", "failed", "cancelled", "lost"] as const;

/** One execution of a job by a worker; a retried job has several. */
export const jobAttempts = pgTable(
  "job_attempts",
  {
    id: serial("id").primaryKey(),
    jobId: text("job_id").notNull(),
    runId: integer("run_id").references(() => runs.id, { onDelete: "cascade" }),
    workerId: text("worker_id").notNull(),
    startedAt: timestamp("started_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    endedAt: timestamp("ended_at", { withTimezone: true, mode: "date" }),
    outcome: text("outcome", { enum: attemptOutcomes }).notNull().default("running"),
    /** step the attempt resumed from, when it resumed from a checkpoint */
    resumedFromStep: integer("resumed_from_step"),
    error: text("error"),
  },
  (t) => [index("job_attempts_job").on(t.jobId), index("job_attempts_run").on(t.runId), index("job_attempts_worker").on(t.workerId, t.outcome)],
);

export const roles = ["viewer", "editor", "admin"] as const;
export type Role = (typeof roles)[number];
export const scopes = ["read", "write", "admin"] as const;
export type Scope = (typeof scopes)[number];

/** A person who signs in to the UI. Their role bounds what they may do (viewer: read, editor: write, admin: all). */
export const users = pgTable("users", {
  id: serial("id").primaryKey(),
  name: text("name").notNull().unique(),
  role: text("role", { enum: roles }).notNull(),
  /** pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>; null until the user sets a password (they sign in by a link) */
  passwordHash: text("password_hash"),
  createdAt: createdAt(),
  disabledAt: timestamp("disabled_at", { withTimezone: true, mode: "date" }),
});

/** A signed-in browser. The cookie holds a random secret; only its sha256 is stored. */
export const sessions = pgTable(
  "sessions",
  {
    secretHash: text("secret_hash").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [index("sessions_user").on(t.userId)],
);

/** A one-time sign-in link (first start, or made by an admin): its secret's sha256, used at most once. */
export const signInLinks = pgTable("sign_in_links", {
  secretHash: text("secret_hash").primaryKey(),
  userId: integer("user_id")
    .notNull()
    .references(() => users.id, { onDelete: "cascade" }),
  createdAt: createdAt(),
  expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
  usedAt: timestamp("used_at", { withTimezone: true, mode: "date" }),
});

/** An API token for scripts, CLIs and workers: shown once, stored as its sha256. */
export const apiTokens = pgTable("api_tokens", {
  id: serial("id").primaryKey(),
  name: text("name").notNull(),
  secretHash: text("secret_hash").notNull().unique(),
  /** the first characters of the token, so a list can say which one is which */
  prefix: text("prefix").notNull(),
  scopes: text("scopes", { enum: scopes }).array().notNull(),
  /** when set, the token reaches only this project's experiments and runs */
  projectId: integer("project_id").references(() => projects.id, { onDelete: "cascade" }),
  createdBy: text("created_by").notNull(),
  createdAt: createdAt(),
  expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }),
  lastUsedAt: timestamp("last_used_at", { withTimezone: true, mode: "date" }),
  revokedAt: timestamp("revoked_at", { withTimezone: true, mode: "date" }),
});

/** Append-only record of every change to what is served and who may do what, and of refused requests. */
export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    at: timestamp("at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    /** "user:alice", "token:ci", "local admin", "anonymous", "system" */
    actor: text("actor").notNull(),
    /** e.g. encoder.stage, gate.set, deployment.create, token.create, user.create, auth.refused */
    action: text("action").notNull(),
    objectType: text("object_type").notNull(),
    objectId: text("object_id").notNull(),
    before: jsonb("before"),
    after: jsonb("after"),
    detail: text("detail").notNull().default(""),
  },
  (t) => [index("audit_events_object").on(t.objectType, t.objectId), index("audit_events_actor").on(t.actor), index("audit_events_at").on(t.at)],
);

export const monitorTargets = ["embedding", "input"] as const;
export const driftTestNames = ["mmd", "ks", "psi", "classifier"] as const;
export type DriftTestName = (typeof driftTestNames)[number];

/** What current windows are compared with; validated by server/drift/monitor-config.ts. */
export type MonitorReference =
  /** served samples in a chosen period */
  | { kind: "traffic"; from: string; to: string }
  /** a dataset Pretext can read (the encoder's training or validation data), embedded by the serving version */
  | { kind: "dataset"; data: string; split: "train" | "test"; size: number };

/** How served samples are cut into windows: every `size` samples, or every `minutes`. */
export type MonitorWindow = { kind: "count"; size: number } | { kind: "time"; minutes: number };

/** A drift monitor of a deployment: one target (inputs or embeddings), its tests, a reference and windows. */
export const driftMonitors = pgTable(
  "drift_monitors",
  {
    id: serial("id").primaryKey(),
    deploymentId: integer("deployment_id")
      .notNull()
      .references(() => deployments.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    target: text("target", { enum: monitorTargets }).notNull(),
    tests: text("tests", { enum: driftTestNames }).array().notNull(),
    reference: jsonb("reference").$type<MonitorReference>().notNull(),
    window: jsonb("window").$type<MonitorWindow>().notNull(),
    /** a window (or reference) with fewer samples is reported as too few, not tested */
    minSamples: integer("min_samples").notNull().default(100),
    /** cron expression of the scheduled check; null: on demand only */
    schedule: text("schedule"),
    /** the last check, and why it failed (a missing dataset, a version without an ONNX model) */
    lastCheckAt: timestamp("last_check_at", { withTimezone: true, mode: "date" }),
    lastCheckError: text("last_check_error"),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("drift_monitors_deployment_name").on(t.deploymentId, t.name)],
);

export const windowStatuses = ["ok", "drift", "too_few_samples"] as const;

/** Mean, std and missing share per feature (tabular: each feature; images: intensity and grid cells). */
export interface FeatureStats {
  mean: number[];
  std: number[];
  missing: number[];
}
export interface FeatureSummaries {
  names: string[];
  reference: FeatureStats;
  current: FeatureStats;
}

/** One checked window of a monitor: its figures (a time series per figure name) and the verdict. */
export const driftResults = pgTable(
  "drift_results",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    monitorId: integer("monitor_id")
      .notNull()
      .references(() => driftMonitors.id, { onDelete: "cascade" }),
    /** 0, 1, 2, … per monitor: a window is checked once even when two checks race */
    windowIndex: integer("window_index").notNull(),
    windowStart: timestamp("window_start", { withTimezone: true, mode: "date" }).notNull(),
    windowEnd: timestamp("window_end", { withTimezone: true, mode: "date" }).notNull(),
    /** the last sample the window holds (count windows continue after it) */
    lastSampleId: bigint("last_sample_id", { mode: "number" }).notNull(),
    encoderId: integer("encoder_id").references(() => encoders.id, { onDelete: "set null" }),
    referenceSamples: integer("reference_samples").notNull(),
    currentSamples: integer("current_samples").notNull(),
    status: text("status", { enum: windowStatuses }).notNull(),
    /** e.g. {"mmd.p_value": 0.01, "ks.p_value": 0.2, "input.mean": 72.1} */
    figures: jsonb("figures").$type<Record<string, number>>().notNull(),
    /** input monitors: per-feature summaries of the window beside the reference's */
    features: jsonb("features").$type<FeatureSummaries>(),
    /** why a window was not tested, or which dimensions drifted */
    detail: text("detail").notNull().default(""),
    checkedAt: timestamp("checked_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("drift_results_monitor_window").on(t.monitorId, t.windowIndex)],
);

export const alertStates = ["ok", "firing", "resolved"] as const;
export type AlertState = (typeof alertStates)[number];

/** An alert rule on one figure of a monitor: fires after `consecutive` windows past the threshold. */
export const alertRules = pgTable(
  "alert_rules",
  {
    id: serial("id").primaryKey(),
    monitorId: integer("monitor_id")
      .notNull()
      .references(() => driftMonitors.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    figure: text("figure").notNull(),
    /** the figure breaches when it is above (or below) the threshold */
    direction: text("direction", { enum: ["above", "below"] }).notNull(),
    threshold: doublePrecision("threshold").notNull(),
    consecutive: integer("consecutive").notNull().default(2),
    /** a rule that fires again this soon after it resolved continues the same episode: no second email */
    cooldownMinutes: integer("cooldown_minutes").notNull().default(60),
    recipients: text("recipients").array().notNull(),
    sender: text("sender"),
    enabled: boolean("enabled").notNull().default(true),
    state: text("state", { enum: alertStates }).notNull().default("ok"),
    /** windows in a row past (or back within) the threshold */
    streak: integer("streak").notNull().default(0),
    /** the last window the rule has seen */
    lastWindowIndex: integer("last_window_index").notNull().default(-1),
    /** first breaching window of the current episode */
    episodeStart: timestamp("episode_start", { withTimezone: true, mode: "date" }),
    resolvedAt: timestamp("resolved_at", { withTimezone: true, mode: "date" }),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("alert_rules_monitor_name").on(t.monitorId, t.name)],
);

/** Every state change of a rule (ok → firing → resolved), with the value that caused it. */
export const alertEvents = pgTable(
  "alert_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    ruleId: integer("rule_id")
      .notNull()
      .references(() => alertRules.id, { onDelete: "cascade" }),
    at: timestamp("at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    fromState: text("from_state", { enum: alertStates }).notNull(),
    toState: text("to_state", { enum: alertStates }).notNull(),
    windowIndex: integer("window_index").notNull(),
    value: doublePrecision("value"),
    /** true when this firing continues an episode inside the cooldown: no email */
    deduplicated: boolean("deduplicated").notNull().default(false),
  },
  (t) => [index("alert_events_rule").on(t.ruleId, t.at)],
);

export const emailStatuses = ["pending", "sent", "failed"] as const;

/** The outbox of alert emails: written with the transition, sent (and retried with back-off) by the mailer. */
export const alertEmails = pgTable(
  "alert_emails",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    /** the rule transition it reports, or (ramps) the ramp's rollback */
    eventId: bigint("event_id", { mode: "number" })
      .unique()
      .references(() => alertEvents.id, { onDelete: "cascade" }),
    rampEventId: bigint("ramp_event_id", { mode: "number" })
      .unique()
      .references((): AnyPgColumn => rampEvents.id, { onDelete: "cascade" }),
    sender: text("sender").notNull(),
    recipients: text("recipients").array().notNull(),
    subject: text("subject").notNull(),
    body: text("body").notNull(),
    status: text("status", { enum: emailStatuses }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    lastError: text("last_error"),
    sentAt: timestamp("sent_at", { withTimezone: true, mode: "date" }),
    createdAt: createdAt(),
  },
  (t) => [index("alert_emails_pending").on(t.status, t.nextAttemptAt)],
);

/** A deployment's GrowthBook rule, as Pretext stores it (server/rollout/flags.ts turns it into the SDK's). */
export type FlagRule =
  /** serve `version` to `coverage` of users (by hash of `hashAttribute`) */
  | { kind: "force"; id: string; version: number; coverage: number; hashAttribute: string; seed: string | null }
  /** split users between `versions` by `weights`, `coverage` of them in the experiment */
  | { kind: "experiment"; id: string; key: string; versions: number[]; weights: number[]; coverage: number; hashAttribute: string; seed: string | null };

/**
 * The feature flag of a deployment: which encoder version each request gets. Served to GrowthBook
 * SDKs at /api/features/<clientKey>; evaluated per request by the inference path.
 */
export const deploymentFlags = pgTable("deployment_flags", {
  deploymentId: integer("deployment_id")
    .primaryKey()
    .references(() => deployments.id, { onDelete: "cascade" }),
  /** the SDK connection's key: what GrowthBook SDKs send to fetch the feature */
  clientKey: text("client_key").notNull().unique(),
  rules: jsonb("rules").$type<FlagRule[]>().notNull(),
  updatedBy: text("updated_by").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});

/** A user's exposure to an experiment of a deployment's flag, recorded by the SDK's tracking callback. */
export const exposures = pgTable(
  "exposures",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    deploymentId: integer("deployment_id")
      .notNull()
      .references(() => deployments.id, { onDelete: "cascade" }),
    experimentKey: text("experiment_key").notNull(),
    variationId: integer("variation_id").notNull(),
    /** the encoder version the variation serves */
    version: integer("version").notNull(),
    userId: text("user_id").notNull(),
    at: timestamp("at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [index("exposures_experiment").on(t.deploymentId, t.experimentKey, t.at)],
);

/** A metric outcome events are logged to: defined once, compared per variation in every experiment. */
export const outcomeMetrics = pgTable("outcome_metrics", {
  id: serial("id").primaryKey(),
  key: text("key").notNull().unique(),
  /** mean: the mean per user of the values; proportion: the share of users with any value > 0 */
  kind: text("kind", { enum: ["mean", "proportion"] }).notNull(),
  /** which way is better */
  goal: text("goal", { enum: ["increase", "decrease"] }).notNull().default("increase"),
  /** a guardrail: a ramp stops (and rolls back) when it gets significantly worse */
  guardrail: boolean("guardrail").notNull().default(false),
  description: text("description").notNull().default(""),
  createdBy: text("created_by").notNull(),
  createdAt: createdAt(),
});

/** One outcome of a user (a click, a purchase's value, a label's correctness), logged by the product. */
export const outcomeEvents = pgTable(
  "outcome_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    metricId: integer("metric_id")
      .notNull()
      .references(() => outcomeMetrics.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull(),
    value: doublePrecision("value").notNull(),
    at: timestamp("at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [index("outcome_events_metric_user").on(t.metricId, t.userId, t.at)],
);

/** A shadow candidate of a deployment: a version that gets a copy of live requests after each response. */
export const shadows = pgTable("shadows", {
  deploymentId: integer("deployment_id")
    .primaryKey()
    .references(() => deployments.id, { onDelete: "cascade" }),
  version: integer("version").notNull(),
  /** share of requests copied to the candidate */
  share: doublePrecision("share").notNull().default(1),
  updatedBy: text("updated_by").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});

/** One mirrored request: how the candidate's answer compares with what production served. */
export const shadowResults = pgTable(
  "shadow_results",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    deploymentId: integer("deployment_id")
      .notNull()
      .references(() => deployments.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    at: timestamp("at", { withTimezone: true, mode: "date" }).notNull(),
    samples: integer("samples").notNull(),
    /** mean and least cosine similarity of candidate and primary embeddings of the same inputs */
    cosineMean: doublePrecision("cosine_mean"),
    cosineMin: doublePrecision("cosine_min"),
    /** share of each sample's 10 nearest recent neighbours the two embedding spaces agree on */
    neighbourOverlap: doublePrecision("neighbour_overlap"),
    /** share of samples whose predicted class agrees, where both have a head */
    predictionAgreement: doublePrecision("prediction_agreement"),
    latencyMs: doublePrecision("latency_ms"),
    primaryLatencyMs: doublePrecision("primary_latency_ms").notNull(),
    error: text("error"),
  },
  (t) => [index("shadow_results_deployment_at").on(t.deploymentId, t.at)],
);

export const rampStatuses = ["running", "paused", "completed", "rolled_back", "promoted"] as const;
export type RampStatus = (typeof rampStatuses)[number];

/** One step of a ramp: the candidate's share of users, held at least this long and until this many users saw it. */
export interface RampStep {
  share: number;
  minMinutes: number;
  minUsers: number;
}

/** What stops a ramp (and rolls it back): the candidate's error rate or p99 latency past a limit, or an outcome metric significantly worse. */
export interface RampGuardrails {
  maxErrorRate: number | null;
  maxP99Ms: number | null;
  /** outcome metric keys, compared candidate vs baseline with the sequential test */
  metrics: string[];
}

/**
 * A controlled ramp of a candidate version on a deployment: it owns the deployment's flag while it
 * runs (an experiment baseline vs candidate at the step's share), advances step by step, and rolls
 * back to the baseline at the first failing guardrail.
 */
export const ramps = pgTable(
  "ramps",
  {
    id: serial("id").primaryKey(),
    deploymentId: integer("deployment_id")
      .notNull()
      .references(() => deployments.id, { onDelete: "cascade" }),
    candidateVersion: integer("candidate_version").notNull(),
    /** the last good version: what a rollback serves */
    baselineVersion: integer("baseline_version").notNull(),
    steps: jsonb("steps").$type<RampStep[]>().notNull(),
    stepIndex: integer("step_index").notNull().default(0),
    stepStartedAt: timestamp("step_started_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    status: text("status", { enum: rampStatuses }).notNull().default("running"),
    guardrails: jsonb("guardrails").$type<RampGuardrails>().notNull(),
    recipients: text("recipients").array().notNull(),
    sender: text("sender"),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  // at most one ramp in progress per deployment
  (t) => [uniqueIndex("ramps_one_active").on(t.deploymentId).where(sql`${t.status} in ('running', 'paused')`)],
);

/** Every step of a ramp's history: start, advance, pause, resume, rollback, complete, promote; with the guardrail checks. */
export const rampEvents = pgTable(
  "ramp_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    rampId: integer("ramp_id")
      .notNull()
      .references(() => ramps.id, { onDelete: "cascade" }),
    at: timestamp("at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    action: text("action").notNull(),
    stepIndex: integer("step_index").notNull(),
    share: doublePrecision("share").notNull(),
    actor: text("actor").notNull(),
    detail: text("detail").notNull().default(""),
    checks: jsonb("checks").$type<RampCheck[]>().notNull().default([]),
  },
  (t) => [index("ramp_events_ramp").on(t.rampId, t.at)],
);

/** One guardrail's reading: the figure, its limit, and whether it failed. */
export interface RampCheck {
  guardrail: string;
  value: number | null;
  limit: string;
  failed: boolean;
  /** why there is no verdict yet (too few requests or users) */
  note?: string;
}
