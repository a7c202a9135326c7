CREATE TABLE "artifacts" (
	"id" serial PRIMARY KEY NOT NULL,
	"run_id" integer NOT NULL,
	"name" text NOT NULL,
	"kind" text DEFAULT 'file' NOT NULL,
	"bytes" bigint NOT NULL,
	"sha256" text NOT NULL,
	"storage_path" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "benchmark_results" (
	"id" serial PRIMARY KEY NOT NULL,
	"encoder_id" integer,
	"run_id" integer,
	"benchmark" text NOT NULL,
	"method" text NOT NULL,
	"label_fraction" double precision NOT NULL,
	"seed" integer NOT NULL,
	"metric" text NOT NULL,
	"value" double precision NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "datasets" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"source" text NOT NULL,
	"format" text NOT NULL,
	"checksum" text NOT NULL,
	"shape" jsonb NOT NULL,
	"count" integer NOT NULL,
	"has_labels" boolean DEFAULT false NOT NULL,
	"num_classes" integer,
	"splits" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "datasets_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "encoders" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"version" integer NOT NULL,
	"run_id" integer,
	"artifact_id" integer,
	"dataset_id" integer,
	"architecture" text NOT NULL,
	"embedding_dim" integer NOT NULL,
	"stage" text DEFAULT 'none' NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "experiments" (
	"id" serial PRIMARY KEY NOT NULL,
	"project_id" integer NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "metric_blocks" (
	"metric_id" integer NOT NULL,
	"block" bigint NOT NULL,
	"count" integer NOT NULL,
	"first_step" bigint NOT NULL,
	"first_value" double precision NOT NULL,
	"first_wall" bigint NOT NULL,
	"last_step" bigint NOT NULL,
	"last_value" double precision NOT NULL,
	"last_wall" bigint NOT NULL,
	"min_step" bigint,
	"min_value" double precision,
	"min_wall" bigint,
	"max_step" bigint,
	"max_value" double precision,
	"max_wall" bigint,
	"has_non_finite" boolean NOT NULL,
	CONSTRAINT "metric_blocks_metric_id_block_pk" PRIMARY KEY("metric_id","block")
);
--> statement-breakpoint
CREATE TABLE "metric_points" (
	"metric_id" integer NOT NULL,
	"step" bigint NOT NULL,
	"wall_time" bigint NOT NULL,
	"value" double precision NOT NULL,
	CONSTRAINT "metric_points_metric_id_step_pk" PRIMARY KEY("metric_id","step")
);
--> statement-breakpoint
CREATE TABLE "metrics" (
	"id" serial PRIMARY KEY NOT NULL,
	"run_id" integer NOT NULL,
	"key" text NOT NULL,
	"last_step" bigint,
	"last_value" double precision,
	"min_value" double precision,
	"max_value" double precision,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "params" (
	"run_id" integer NOT NULL,
	"key" text NOT NULL,
	"type" text NOT NULL,
	"value" text NOT NULL,
	"number_value" double precision,
	CONSTRAINT "params_run_id_key_pk" PRIMARY KEY("run_id","key")
);
--> statement-breakpoint
CREATE TABLE "projects" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "projects_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "runs" (
	"id" serial PRIMARY KEY NOT NULL,
	"experiment_id" integer NOT NULL,
	"parent_run_id" integer,
	"name" text NOT NULL,
	"status" text DEFAULT 'running' NOT NULL,
	"status_reason" text,
	"backend" text,
	"worker" text,
	"config" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"tags" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"notes" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"ended_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "artifacts" ADD CONSTRAINT "artifacts_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "benchmark_results" ADD CONSTRAINT "benchmark_results_encoder_id_encoders_id_fk" FOREIGN KEY ("encoder_id") REFERENCES "public"."encoders"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "benchmark_results" ADD CONSTRAINT "benchmark_results_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "encoders" ADD CONSTRAINT "encoders_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "encoders" ADD CONSTRAINT "encoders_artifact_id_artifacts_id_fk" FOREIGN KEY ("artifact_id") REFERENCES "public"."artifacts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "encoders" ADD CONSTRAINT "encoders_dataset_id_datasets_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "public"."datasets"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "experiments" ADD CONSTRAINT "experiments_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "metric_blocks" ADD CONSTRAINT "metric_blocks_metric_id_metrics_id_fk" FOREIGN KEY ("metric_id") REFERENCES "public"."metrics"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "metrics" ADD CONSTRAINT "metrics_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "params" ADD CONSTRAINT "params_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_experiment_id_experiments_id_fk" FOREIGN KEY ("experiment_id") REFERENCES "public"."experiments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "artifacts_run_name" ON "artifacts" USING btree ("run_id","name");--> statement-breakpoint
CREATE INDEX "benchmark_results_encoder" ON "benchmark_results" USING btree ("encoder_id","benchmark");--> statement-breakpoint
CREATE INDEX "benchmark_results_run" ON "benchmark_results" USING btree ("run_id");--> statement-breakpoint
CREATE UNIQUE INDEX "encoders_name_version" ON "encoders" USING btree ("name","version");--> statement-breakpoint
CREATE UNIQUE INDEX "experiments_project_name" ON "experiments" USING btree ("project_id","name");--> statement-breakpoint
CREATE UNIQUE INDEX "metrics_run_key" ON "metrics" USING btree ("run_id","key");--> statement-breakpoint
CREATE INDEX "runs_experiment" ON "runs" USING btree ("experiment_id","created_at");--> statement-breakpoint
CREATE INDEX "runs_parent" ON "runs" USING btree ("parent_run_id");