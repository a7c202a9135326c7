CREATE TABLE "alert_emails" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"event_id" bigint NOT NULL,
	"sender" text NOT NULL,
	"recipients" text[] NOT NULL,
	"subject" text NOT NULL,
	"body" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_error" text,
	"sent_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "alert_emails_event_id_unique" UNIQUE("event_id")
);
--> statement-breakpoint
CREATE TABLE "alert_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"rule_id" integer NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"from_state" text NOT NULL,
	"to_state" text NOT NULL,
	"window_index" integer NOT NULL,
	"value" double precision,
	"deduplicated" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alert_rules" (
	"id" serial PRIMARY KEY NOT NULL,
	"monitor_id" integer NOT NULL,
	"name" text NOT NULL,
	"figure" text NOT NULL,
	"direction" text NOT NULL,
	"threshold" double precision NOT NULL,
	"consecutive" integer DEFAULT 2 NOT NULL,
	"cooldown_minutes" integer DEFAULT 60 NOT NULL,
	"recipients" text[] NOT NULL,
	"sender" text,
	"enabled" boolean DEFAULT true NOT NULL,
	"state" text DEFAULT 'ok' NOT NULL,
	"streak" integer DEFAULT 0 NOT NULL,
	"last_window_index" integer DEFAULT -1 NOT NULL,
	"episode_start" timestamp with time zone,
	"resolved_at" timestamp with time zone,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "drift_monitors" (
	"id" serial PRIMARY KEY NOT NULL,
	"deployment_id" integer NOT NULL,
	"name" text NOT NULL,
	"target" text NOT NULL,
	"tests" text[] NOT NULL,
	"reference" jsonb NOT NULL,
	"window" jsonb NOT NULL,
	"min_samples" integer DEFAULT 100 NOT NULL,
	"schedule" text,
	"last_check_at" timestamp with time zone,
	"last_check_error" text,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "drift_results" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"monitor_id" integer NOT NULL,
	"window_index" integer NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"window_end" timestamp with time zone NOT NULL,
	"last_sample_id" bigint NOT NULL,
	"encoder_id" integer,
	"reference_samples" integer NOT NULL,
	"current_samples" integer NOT NULL,
	"status" text NOT NULL,
	"figures" jsonb NOT NULL,
	"features" jsonb,
	"detail" text DEFAULT '' NOT NULL,
	"checked_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "alert_emails" ADD CONSTRAINT "alert_emails_event_id_alert_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."alert_events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_events" ADD CONSTRAINT "alert_events_rule_id_alert_rules_id_fk" FOREIGN KEY ("rule_id") REFERENCES "public"."alert_rules"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_rules" ADD CONSTRAINT "alert_rules_monitor_id_drift_monitors_id_fk" FOREIGN KEY ("monitor_id") REFERENCES "public"."drift_monitors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "drift_monitors" ADD CONSTRAINT "drift_monitors_deployment_id_deployments_id_fk" FOREIGN KEY ("deployment_id") REFERENCES "public"."deployments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "drift_results" ADD CONSTRAINT "drift_results_monitor_id_drift_monitors_id_fk" FOREIGN KEY ("monitor_id") REFERENCES "public"."drift_monitors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "drift_results" ADD CONSTRAINT "drift_results_encoder_id_encoders_id_fk" FOREIGN KEY ("encoder_id") REFERENCES "public"."encoders"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "alert_emails_pending" ON "alert_emails" USING btree ("status","next_attempt_at");--> statement-breakpoint
CREATE INDEX "alert_events_rule" ON "alert_events" USING btree ("rule_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "alert_rules_monitor_name" ON "alert_rules" USING btree ("monitor_id","name");--> statement-breakpoint
CREATE UNIQUE INDEX "drift_monitors_deployment_name" ON "drift_monitors" USING btree ("deployment_id","name");--> statement-breakpoint
CREATE UNIQUE INDEX "drift_results_monitor_window" ON "drift_results" USING btree ("monitor_id","window_index");