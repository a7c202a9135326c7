CREATE TABLE "job_attempts" (
	"id" serial PRIMARY KEY NOT NULL,
	"job_id" text NOT NULL,
	"run_id" integer,
	"worker_id" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone,
	"outcome" text DEFAULT 'running' NOT NULL,
	"resumed_from_step" integer,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "workers" (
	"id" text PRIMARY KEY NOT NULL,
	"hostname" text NOT NULL,
	"pid" integer NOT NULL,
	"backend" text,
	"concurrency" integer NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL,
	"stopped_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "job_kind" text;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "job_id" text;--> statement-breakpoint
ALTER TABLE "job_attempts" ADD CONSTRAINT "job_attempts_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "job_attempts_job" ON "job_attempts" USING btree ("job_id");--> statement-breakpoint
CREATE INDEX "job_attempts_run" ON "job_attempts" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "job_attempts_worker" ON "job_attempts" USING btree ("worker_id","outcome");