CREATE TABLE "deployment_flags" (
	"deployment_id" integer PRIMARY KEY NOT NULL,
	"client_key" text NOT NULL,
	"rules" jsonb NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "deployment_flags_client_key_unique" UNIQUE("client_key")
);
--> statement-breakpoint
CREATE TABLE "exposures" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"deployment_id" integer NOT NULL,
	"experiment_key" text NOT NULL,
	"variation_id" integer NOT NULL,
	"version" integer NOT NULL,
	"user_id" text NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "outcome_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"metric_id" integer NOT NULL,
	"user_id" text NOT NULL,
	"value" double precision NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "outcome_metrics" (
	"id" serial PRIMARY KEY NOT NULL,
	"key" text NOT NULL,
	"kind" text NOT NULL,
	"goal" text DEFAULT 'increase' NOT NULL,
	"guardrail" boolean DEFAULT false NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "outcome_metrics_key_unique" UNIQUE("key")
);
--> statement-breakpoint
CREATE TABLE "shadow_results" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"deployment_id" integer NOT NULL,
	"version" integer NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"samples" integer NOT NULL,
	"cosine_mean" double precision,
	"cosine_min" double precision,
	"neighbour_overlap" double precision,
	"prediction_agreement" double precision,
	"latency_ms" double precision,
	"primary_latency_ms" double precision NOT NULL,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "shadows" (
	"deployment_id" integer PRIMARY KEY NOT NULL,
	"version" integer NOT NULL,
	"share" double precision DEFAULT 1 NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "deployment_flags" ADD CONSTRAINT "deployment_flags_deployment_id_deployments_id_fk" FOREIGN KEY ("deployment_id") REFERENCES "public"."deployments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "exposures" ADD CONSTRAINT "exposures_deployment_id_deployments_id_fk" FOREIGN KEY ("deployment_id") REFERENCES "public"."deployments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outcome_events" ADD CONSTRAINT "outcome_events_metric_id_outcome_metrics_id_fk" FOREIGN KEY ("metric_id") REFERENCES "public"."outcome_metrics"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shadow_results" ADD CONSTRAINT "shadow_results_deployment_id_deployments_id_fk" FOREIGN KEY ("deployment_id") REFERENCES "public"."deployments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shadows" ADD CONSTRAINT "shadows_deployment_id_deployments_id_fk" FOREIGN KEY ("deployment_id") REFERENCES "public"."deployments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "exposures_experiment" ON "exposures" USING btree ("deployment_id","experiment_key","at");--> statement-breakpoint
CREATE INDEX "outcome_events_metric_user" ON "outcome_events" USING btree ("metric_id","user_id","at");--> statement-breakpoint
CREATE INDEX "shadow_results_deployment_at" ON "shadow_results" USING btree ("deployment_id","at");