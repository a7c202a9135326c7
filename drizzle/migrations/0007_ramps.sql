CREATE TABLE "ramp_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"ramp_id" integer NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"action" text NOT NULL,
	"step_index" integer NOT NULL,
	"share" double precision NOT NULL,
	"actor" text NOT NULL,
	"detail" text DEFAULT '' NOT NULL,
	"checks" jsonb DEFAULT '[]'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ramps" (
	"id" serial PRIMARY KEY NOT NULL,
	"deployment_id" integer NOT NULL,
	"candidate_version" integer NOT NULL,
	"baseline_version" integer NOT NULL,
	"steps" jsonb NOT NULL,
	"step_index" integer DEFAULT 0 NOT NULL,
	"step_started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"status" text DEFAULT 'running' NOT NULL,
	"guardrails" jsonb NOT NULL,
	"recipients" text[] NOT NULL,
	"sender" text,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "alert_emails" ALTER COLUMN "event_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "alert_emails" ADD COLUMN "ramp_event_id" bigint;--> statement-breakpoint
ALTER TABLE "ramp_events" ADD CONSTRAINT "ramp_events_ramp_id_ramps_id_fk" FOREIGN KEY ("ramp_id") REFERENCES "public"."ramps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ramps" ADD CONSTRAINT "ramps_deployment_id_deployments_id_fk" FOREIGN KEY ("deployment_id") REFERENCES "public"."deployments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ramp_events_ramp" ON "ramp_events" USING btree ("ramp_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "ramps_one_active" ON "ramps" USING btree ("deployment_id") WHERE "ramps"."status" in ('running', 'paused');--> statement-breakpoint
ALTER TABLE "alert_emails" ADD CONSTRAINT "alert_emails_ramp_event_id_ramp_events_id_fk" FOREIGN KEY ("ramp_event_id") REFERENCES "public"."ramp_events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_emails" ADD CONSTRAINT "alert_emails_ramp_event_id_unique" UNIQUE("ramp_event_id");