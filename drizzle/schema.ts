import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { policyColumns } from "../src/lib/site-policy";

// Times are integer milliseconds since the epoch; the API shows them as ISO-8601 strings.

/** Identities. Users are global (not per site). */
export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(), // auth_user_id
    email: text("email").notNull(), // normalised (trimmed, NFC, lower-case)
    emailVerified: integer("email_verified", { mode: "boolean" }).notNull().default(false),
    name: text("name").notNull().default(""),
    displayName: text("display_name"),
    phone: text("phone"),
    jobTitle: text("job_title"),
    department: text("department"),
    locale: text("locale"),
    timezone: text("timezone"),
    avatarKey: text("avatar_key"),
    status: text("status", { enum: ["pending", "active", "disabled"] }).notNull().default("pending"),
    passwordHash: text("password_hash"),
    passwordChangedAt: integer("password_changed_at"),
    totpSecretEnc: text("totp_secret_enc"),
    totpEnabledAt: integer("totp_enabled_at"),
    recoveryCodes: text("recovery_codes"), // JSON array of code hashes; consumption decided in the user's DO
    source: text("source").notNull().default("admin"), // admin | import | legacy_register | seed
    externalId: text("external_id"), // id in the system a user was imported from
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    lastLoginAt: integer("last_login_at"),
  },
  (t) => [
    uniqueIndex("users_email_unique").on(t.email),
    index("users_status_created_idx").on(t.status, t.createdAt, t.id),
    index("users_created_idx").on(t.createdAt, t.id),
    index("users_external_id_idx").on(t.externalId),
    // user_list `q`: prefix search on the name and on the part after its first space (surname), ASCII case-insensitive.
    index("users_name_nocase_idx").on(sql`${t.name} COLLATE NOCASE`),
    index("users_surname_nocase_idx").on(sql`substr(${t.name}, instr(${t.name}, ' ') + 1) COLLATE NOCASE`),
    // user_list `q` starting with "@": prefix search on the email's domain part (from its "@").
    index("users_email_domain_idx").on(sql`substr(${t.email}, instr(${t.email}, '@'))`),
  ],
);

/** Registered apps. */
export const sites = sqliteTable(
  "sites",
  {
    siteKey: text("site_key").primaryKey(),
    name: text("name").notNull(),
    status: text("status", { enum: ["active", "inactive"] }).notNull().default("active"),
    allowedOrigins: text("allowed_origins").notNull().default("[]"), // JSON array of exact origins
    resetUrl: text("reset_url"),
    onboardingUrl: text("onboarding_url"),
    branding: text("branding").notNull().default("{}"), // JSON: display_name, logo_url, primary_color, support_email, from_name
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("sites_created_idx").on(t.createdAt)],
);

/** One policy per site, deleted with it. Its columns come from the site-policy schema (src/lib/site-policy.ts). */
export const sitePolicies = sqliteTable("site_policies", {
  siteKey: text("site_key")
    .primaryKey()
    .references(() => sites.siteKey, { onDelete: "cascade", onUpdate: "cascade" }),
  ...policyColumns(),
  updatedAt: integer("updated_at").notNull(),
});

/** API keys a user creates for themselves. Only the SHA-256 of the secret is stored. */
export const userApiKeys = sqliteTable(
  "user_api_keys",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    prefix: text("prefix").notNull(),
    secretHash: text("secret_hash").notNull(),
    scopes: text("scopes").notNull().default("[]"),
    expiresAt: integer("expires_at"),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [
    uniqueIndex("user_api_keys_hash_unique").on(t.secretHash),
    uniqueIndex("user_api_keys_prefix_unique").on(t.prefix),
    index("user_api_keys_user_idx").on(t.userId, t.revokedAt, t.createdAt),
  ],
);

/** Keys backends use on service routes (X-Service-Key). Only the SHA-256 of the secret is stored. */
export const serviceKeys = sqliteTable(
  "service_keys",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    prefix: text("prefix").notNull(),
    secretHash: text("secret_hash").notNull(),
    scopes: text("scopes").notNull().default("[]"),
    createdBy: text("created_by"),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [
    uniqueIndex("service_keys_hash_unique").on(t.secretHash),
    uniqueIndex("service_keys_prefix_unique").on(t.prefix),
    index("service_keys_created_idx").on(t.createdAt),
  ],
);

/** Admin accounts: their own table, never users. */
export const admins = sqliteTable(
  "admins",
  {
    id: text("id").primaryKey(),
    email: text("email").notNull(),
    name: text("name").notNull().default(""),
    passwordHash: text("password_hash").notNull(),
    passwordChangedAt: integer("password_changed_at"),
    totpSecretEnc: text("totp_secret_enc"),
    totpEnabledAt: integer("totp_enabled_at"),
    recoveryCodes: text("recovery_codes"),
    status: text("status", { enum: ["active", "disabled"] }).notNull().default("active"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    lastLoginAt: integer("last_login_at"),
    /** Sessions created before this (ms) are refused: set by `admin:create --reset-password`, which cannot reach the admin's Durable Object. */
    sessionsValidAfter: integer("sessions_valid_after"),
  },
  (t) => [uniqueIndex("admins_email_unique").on(t.email)],
);

/** Append-only audit trail. The id orders rows (newest first = highest id) and is the cursor. */
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: integer("at").notNull(),
    actorType: text("actor_type").notNull(), // admin | user | service | system | anonymous
    actorId: text("actor_id"),
    action: text("action").notNull(),
    targetType: text("target_type"),
    targetId: text("target_id"),
    siteKey: text("site_key"),
    ip: text("ip"),
    userAgent: text("user_agent"),
    requestId: text("request_id"),
    outcome: text("outcome").notNull(), // success | failure | denied
    details: text("details").notNull().default("{}"),
  },
  (t) => [
    index("audit_at_idx").on(t.at, t.id),
    index("audit_actor_idx").on(t.actorId, t.id),
    index("audit_action_idx").on(t.action, t.id),
    index("audit_target_idx").on(t.targetId, t.id),
    index("audit_site_idx").on(t.siteKey, t.id),
    index("audit_outcome_idx").on(t.outcome, t.id),
  ],
);

/** One row per mail message id: idempotent delivery and its status. */
export const mailLog = sqliteTable(
  "mail_log",
  {
    id: text("id").primaryKey(), // the queue message's own id
    template: text("template").notNull(),
    recipient: text("recipient").notNull(),
    siteKey: text("site_key"),
    status: text("status", { enum: ["queued", "sending", "sent", "failed", "dead"] }).notNull(),
    provider: text("provider"),
    providerMessageId: text("provider_message_id"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("mail_log_status_idx").on(t.status, t.updatedAt), index("mail_log_created_idx").on(t.createdAt)],
);

/**
 * Transactional outbox: one row per mail owed, written before the answer (in the same batch as the
 * flow's audit row) and deleted by the queue consumer when it claims the mail. The per-minute sweep
 * re-enqueues rows the queue never delivered. `decoy` rows stand in for addresses nobody owns (same
 * statement, same payload size) and never become mail.
 */
export const mailOutbox = sqliteTable(
  "mail_outbox",
  {
    id: text("id").primaryKey(), // the mail id: the queue message's and mail_log's
    template: text("template").notNull(),
    recipient: text("recipient").notNull(), // masked (j******e@example.com); the address itself is in the payload
    siteKey: text("site_key"),
    decoy: integer("decoy", { mode: "boolean" }).notNull().default(false),
    payload: text("payload").notNull(), // v1.<iv>.<ciphertext>: {to, data} AES-256-GCM, associated data = id
    createdAt: integer("created_at").notNull(),
    attempts: integer("attempts").notNull().default(0), // times the sweep re-enqueued it
    sweptAt: integer("swept_at"),
  },
  (t) => [index("mail_outbox_due_idx").on(t.decoy, t.createdAt)],
);

/** Development only (MAIL_PROVIDER=log): rendered mails the dev server shows at /dev/outbox. */
export const devOutbox = sqliteTable(
  "dev_outbox",
  {
    id: text("id").primaryKey(),
    recipient: text("recipient").notNull(),
    subject: text("subject").notNull(),
    text: text("text").notNull(),
    html: text("html").notNull(),
    template: text("template").notNull(),
    siteKey: text("site_key"),
    createdAt: integer("created_at").notNull().default(sql`(unixepoch() * 1000)`),
  },
  (t) => [index("dev_outbox_created_idx").on(t.createdAt), index("dev_outbox_recipient_idx").on(t.recipient, t.createdAt)],
);

/**
 * The WebAuthn user handle of a user (user.id in a passkey ceremony): 32 random bytes, base64url.
 * Authenticators store it with every discoverable passkey and return it on sign-in, so it is opaque
 * on purpose: never the auth_user_id or the email. Created on the user's first passkey registration.
 */
export const webauthnUserHandles = sqliteTable(
  "webauthn_user_handles",
  {
    userId: text("user_id")
      .primaryKey()
      .references(() => users.id, { onDelete: "cascade" }),
    userHandle: text("user_handle").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [uniqueIndex("webauthn_user_handles_handle_unique").on(t.userHandle)],
);

/** Passkeys (WebAuthn credentials). Only public keys: nothing here lets anyone sign in. */
export const passkeys = sqliteTable(
  "passkeys",
  {
    id: text("id").primaryKey(), // Auth2's own id (hex), used by the list/rename/delete APIs
    credentialId: text("credential_id").notNull(), // base64url, as the browser sends it back
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    publicKey: text("public_key").notNull(), // base64url of the COSE_Key from the attestation
    signCounter: integer("sign_counter").notNull().default(0),
    transports: text("transports").notNull().default("[]"), // JSON array: usb, nfc, ble, internal, hybrid, ...
    backedUp: integer("backed_up", { mode: "boolean" }).notNull().default(false), // BS flag, refreshed on every use
    deviceType: text("device_type", { enum: ["singleDevice", "multiDevice"] }).notNull(), // from the BE flag
    aaguid: text("aaguid").notNull(), // authenticator model; all zeros when the authenticator does not say
    name: text("name").notNull(),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at"),
    // Set when a sign-in showed a signature counter that did not increase (a possibly cloned
    // authenticator): the passkey is refused from then on until it is removed.
    flaggedAt: integer("flagged_at"),
  },
  (t) => [uniqueIndex("passkeys_credential_id_unique").on(t.credentialId), index("passkeys_user_idx").on(t.userId, t.createdAt)],
);
