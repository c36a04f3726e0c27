CREATE TABLE `admins` (
	`id` text PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`password_hash` text NOT NULL,
	`password_changed_at` integer,
	`totp_secret_enc` text,
	`totp_enabled_at` integer,
	`recovery_codes` text,
	`status` text DEFAULT 'active' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`last_login_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `admins_email_unique` ON `admins` (`email`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`actor_type` text NOT NULL,
	`actor_id` text,
	`action` text NOT NULL,
	`target_type` text,
	`target_id` text,
	`site_key` text,
	`ip` text,
	`user_agent` text,
	`request_id` text,
	`outcome` text NOT NULL,
	`details` text DEFAULT '{}' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_at_idx` ON `audit_log` (`at`,`id`);--> statement-breakpoint
CREATE INDEX `audit_actor_idx` ON `audit_log` (`actor_id`,`id`);--> statement-breakpoint
CREATE INDEX `audit_action_idx` ON `audit_log` (`action`,`id`);--> statement-breakpoint
CREATE INDEX `audit_target_idx` ON `audit_log` (`target_id`,`id`);--> statement-breakpoint
CREATE INDEX `audit_site_idx` ON `audit_log` (`site_key`,`id`);--> statement-breakpoint
CREATE INDEX `audit_outcome_idx` ON `audit_log` (`outcome`,`id`);--> statement-breakpoint
CREATE TABLE `dev_outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`recipient` text NOT NULL,
	`subject` text NOT NULL,
	`text` text NOT NULL,
	`html` text NOT NULL,
	`template` text NOT NULL,
	`site_key` text,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `dev_outbox_created_idx` ON `dev_outbox` (`created_at`);--> statement-breakpoint
CREATE INDEX `dev_outbox_recipient_idx` ON `dev_outbox` (`recipient`,`created_at`);--> statement-breakpoint
CREATE TABLE `mail_log` (
	`id` text PRIMARY KEY NOT NULL,
	`template` text NOT NULL,
	`recipient` text NOT NULL,
	`site_key` text,
	`status` text NOT NULL,
	`provider` text,
	`provider_message_id` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `mail_log_status_idx` ON `mail_log` (`status`,`updated_at`);--> statement-breakpoint
CREATE INDEX `mail_log_created_idx` ON `mail_log` (`created_at`);--> statement-breakpoint
CREATE TABLE `service_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`prefix` text NOT NULL,
	`secret_hash` text NOT NULL,
	`scopes` text DEFAULT '[]' NOT NULL,
	`created_by` text,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `service_keys_hash_unique` ON `service_keys` (`secret_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `service_keys_prefix_unique` ON `service_keys` (`prefix`);--> statement-breakpoint
CREATE INDEX `service_keys_created_idx` ON `service_keys` (`created_at`);--> statement-breakpoint
CREATE TABLE `site_policies` (
	`site_key` text PRIMARY KEY NOT NULL,
	`login_mode` text NOT NULL,
	`reset_mode` text NOT NULL,
	`twofa_mode` text NOT NULL,
	`allow_self_registration` integer DEFAULT false NOT NULL,
	`password_min_length` integer DEFAULT 8 NOT NULL,
	`session_ttl_seconds` integer NOT NULL,
	`idle_timeout_seconds` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`site_key`) REFERENCES `sites`(`site_key`) ON UPDATE cascade ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `sites` (
	`site_key` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`allowed_origins` text DEFAULT '[]' NOT NULL,
	`reset_url` text,
	`onboarding_url` text,
	`branding` text DEFAULT '{}' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `sites_created_idx` ON `sites` (`created_at`);--> statement-breakpoint
CREATE TABLE `user_api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`name` text NOT NULL,
	`prefix` text NOT NULL,
	`secret_hash` text NOT NULL,
	`scopes` text DEFAULT '[]' NOT NULL,
	`expires_at` integer,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	`revoked_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `user_api_keys_hash_unique` ON `user_api_keys` (`secret_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `user_api_keys_prefix_unique` ON `user_api_keys` (`prefix`);--> statement-breakpoint
CREATE INDEX `user_api_keys_user_idx` ON `user_api_keys` (`user_id`,`revoked_at`,`created_at`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`email_verified` integer DEFAULT false NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`display_name` text,
	`phone` text,
	`job_title` text,
	`department` text,
	`locale` text,
	`timezone` text,
	`avatar_key` text,
	`status` text DEFAULT 'pending' NOT NULL,
	`password_hash` text,
	`password_changed_at` integer,
	`totp_secret_enc` text,
	`totp_enabled_at` integer,
	`recovery_codes` text,
	`source` text DEFAULT 'admin' NOT NULL,
	`external_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`last_login_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_unique` ON `users` (`email`);--> statement-breakpoint
CREATE INDEX `users_status_created_idx` ON `users` (`status`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `users_created_idx` ON `users` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `users_external_id_idx` ON `users` (`external_id`);