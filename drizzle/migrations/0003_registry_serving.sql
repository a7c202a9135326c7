CREATE TABLE "deployments" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"encoder_name" text NOT NULL,
	"sample_rate" double precision DEFAULT 0.01 NOT NULL,
	"retention_days" integer DEFAULT 30 NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "deployments_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "encoder_gates" (
	"encoder_name" text PRIMARY KEY NOT NULL,
	"rules" jsonb NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "encoder_stage_changes" (
	"id" serial PRIMARY KEY NOT NULL,
	"encoder_id" integer NOT NULL,
	"from_stage" text NOT NULL,
	"to_stage" text NOT NULL,
	"actor" text NOT NULL,
	"reason" text NOT NULL,
	"gate_checks" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "inference_requests" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"deployment_id" integer NOT NULL,
	"encoder_id" integer,
	"at" timestamp with time zone NOT NULL,
	"latency_ms" double precision NOT NULL,
	"samples" integer NOT NULL,
	"status" integer NOT NULL,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "inference_samples" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"deployment_id" integer NOT NULL,
	"encoder_id" integer,
	"at" timestamp with time zone NOT NULL,
	"input" real[] NOT NULL,
	"embedding" real[] NOT NULL
);
--> statement-breakpoint
ALTER TABLE "encoders" ADD COLUMN "format" text DEFAULT 'pretext' NOT NULL;--> statement-breakpoint
ALTER TABLE "encoders" ADD COLUMN "model_spec" jsonb;--> statement-breakpoint
ALTER TABLE "encoders" ADD COLUMN "onnx_artifact_id" integer;--> statement-breakpoint
ALTER TABLE "encoders" ADD COLUMN "head_artifact_id" integer;--> statement-breakpoint
ALTER TABLE "encoder_stage_changes" ADD CONSTRAINT "encoder_stage_changes_encoder_id_encoders_id_fk" FOREIGN KEY ("encoder_id") REFERENCES "public"."encoders"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inference_requests" ADD CONSTRAINT "inference_requests_deployment_id_deployments_id_fk" FOREIGN KEY ("deployment_id") REFERENCES "public"."deployments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inference_requests" ADD CONSTRAINT "inference_requests_encoder_id_encoders_id_fk" FOREIGN KEY ("encoder_id") REFERENCES "public"."encoders"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inference_samples" ADD CONSTRAINT "inference_samples_deployment_id_deployments_id_fk" FOREIGN KEY ("deployment_id") REFERENCES "public"."deployments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inference_samples" ADD CONSTRAINT "inference_samples_encoder_id_encoders_id_fk" FOREIGN KEY ("encoder_id") REFERENCES "public"."encoders"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "encoder_stage_changes_encoder" ON "encoder_stage_changes" USING btree ("encoder_id");--> statement-breakpoint
CREATE INDEX "inference_requests_deployment_at" ON "inference_requests" USING btree ("deployment_id","at");--> statement-breakpoint
CREATE INDEX "inference_samples_deployment_at" ON "inference_samples" USING btree ("deployment_id","at");--> statement-breakpoint
ALTER TABLE "encoders" ADD CONSTRAINT "encoders_onnx_artifact_id_artifacts_id_fk" FOREIGN KEY ("onnx_artifact_id") REFERENCES "public"."artifacts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "encoders" ADD CONSTRAINT "encoders_head_artifact_id_artifacts_id_fk" FOREIGN KEY ("head_artifact_id") REFERENCES "public"."artifacts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "encoders_one_production" ON "encoders" USING btree ("name") WHERE "encoders"."stage" = 'production';