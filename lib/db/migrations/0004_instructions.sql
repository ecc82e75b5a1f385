ALTER TABLE "conversations" ADD COLUMN "system_prompt" text;--> statement-breakpoint
ALTER TABLE "identities" ADD COLUMN "instructions" text;