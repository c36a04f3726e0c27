import type { Config } from "./config";
import type { UserState } from "./durable/user-state";
import { readDefaultPolicy } from "./lib/site-policy";
import type { Limiter } from "./durable/limiter";

/** Bindings, vars and secrets the Worker receives (see wrangler.toml). */
export interface Env {
  DB: D1Database;
  CHALLENGES: KVNamespace;
  USER_STATE: DurableObjectNamespace<UserState>;
  LIMITER: DurableObjectNamespace<Limiter>;
  MAIL_QUEUE: Queue<unknown>;
  AVATARS: R2Bucket;
  SEND_EMAIL?: SendEmail;
  /** Static assets (wrangler.toml [assets]): the vendored swagger-ui-dist files behind /docs/reference. */
  ASSETS: Fetcher;

  ENVIRONMENT: string;
  PUBLIC_BASE_URL: string;
  SITE_REGISTRY_MODE?: string;
  DEFAULT_LOGIN_MODE?: string;
  DEFAULT_RESET_MODE?: string;
  DEFAULT_TWOFA_MODE?: string;
  DEFAULT_ALLOW_SELF_REGISTRATION?: string;
  DEFAULT_PASSWORD_MIN_LENGTH?: string;
  DEFAULT_SESSION_TTL_SECONDS?: string;
  DEFAULT_IDLE_TIMEOUT_SECONDS?: string;
  DEFAULT_RESET_URL?: string;
  DEFAULT_ONBOARDING_URL?: string;
  PASSWORD_SCRYPT_LN?: string;
  PASSWORD_SCRYPT_R?: string;
  PASSWORD_SCRYPT_P?: string;
  MAIL_PROVIDER?: string;
  MAIL_FROM?: string;
  MAIL_FROM_NAME?: string;
  /** Reply-To for mails of sites without a support_email in their branding. */
  MAIL_REPLY_TO?: string;
  /** Postmark message stream (default "outbound", the transactional stream). */
  POSTMARK_MESSAGE_STREAM?: string;
  /** First mail retry delay in seconds (doubling per attempt, capped at 15 min); default 15. */
  MAIL_RETRY_BASE_SECONDS?: string;
  ADMIN_REQUIRE_TOTP?: string;
  AUDIT_RETENTION_DAYS?: string;
  /** WebAuthn RP ID (a host name, never an IP address); default: the host of PUBLIC_BASE_URL. */
  WEBAUTHN_RP_ID?: string;
  /** The name authenticators show beside a passkey; default MAIL_FROM_NAME, else "Auth2". */
  WEBAUTHN_RP_NAME?: string;
  /** Set only in the bench build: exposes the floor routes under /__bench. */
  BENCH_ROUTES?: string;

  PASSWORD_PEPPER?: string;
  CODE_HMAC_KEY?: string;
  TOTP_ENCRYPTION_KEY?: string;
  SERVICE_BOOTSTRAP_KEY?: string;
  RESEND_API_KEY?: string;
  POSTMARK_API_KEY?: string;
  FIREBASE_SERVICE_ACCOUNT?: string;
  DEV_ADMIN_EMAIL?: string;
  DEV_ADMIN_PASSWORD?: string;
}

function int(value: string | undefined, fallback: number, min: number, max: number): number {
  const n = value === undefined || value === "" ? NaN : Number(value);
  if (!Number.isInteger(n)) return fallback;
  return Math.min(max, Math.max(min, n));
}

function bool(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === "") return fallback;
  return value === "true" || value === "1";
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return "";
  }
}

const cache = new WeakMap<object, Config>();
const locked = new WeakMap<Env, Env>();
const lockedCopies = new WeakSet<Env>();

/**
 * The env a request sees when ENVIRONMENT=development but the request is not addressed to this
 * machine (localhost, 127.0.0.1, [::1]): the same bindings and vars with development mode off, so
 * nothing development unlocks (the outbox, plain-http links) answers a reachable host. A second
 * lock behind the production-safe wrangler.toml. One copy per env object.
 */
export function withoutDevelopmentMode(env: Env): Env {
  let copy = locked.get(env);
  if (!copy) {
    copy = { ...env };
    locked.set(env, copy);
    lockedCopies.add(copy);
  }
  return copy;
}

/** Parses vars into a typed config once per env object; bad values fall back to safe defaults. */
export function readConfig(env: Env): Config {
  const hit = cache.get(env);
  if (hit) return hit;
  const environment = env.ENVIRONMENT || "production";
  const config: Config = {
    environment,
    isDevelopment: environment === "development" && !lockedCopies.has(env),
    publicBaseUrl: (env.PUBLIC_BASE_URL || "http://127.0.0.1:8787").replace(/\/+$/, ""),
    siteRegistryMode: env.SITE_REGISTRY_MODE === "strict" ? "strict" : "fallback",
    defaultPolicy: readDefaultPolicy(env as unknown as Record<string, unknown>),
    defaultResetUrl: env.DEFAULT_RESET_URL || "",
    defaultOnboardingUrl: env.DEFAULT_ONBOARDING_URL || "",
    scrypt: {
      ln: int(env.PASSWORD_SCRYPT_LN, 14, 1, 20),
      r: int(env.PASSWORD_SCRYPT_R, 8, 1, 32),
      p: int(env.PASSWORD_SCRYPT_P, 5, 1, 16),
    },
    mailProvider: env.MAIL_PROVIDER || "log",
    mailFrom: env.MAIL_FROM || "auth2@example.com",
    mailFromName: env.MAIL_FROM_NAME || "Auth2",
    mailReplyTo: env.MAIL_REPLY_TO || null,
    postmarkMessageStream: env.POSTMARK_MESSAGE_STREAM || "outbound",
    mailRetryBaseSeconds: int(env.MAIL_RETRY_BASE_SECONDS, 15, 1, 900),
    adminRequireTotp: bool(env.ADMIN_REQUIRE_TOTP, false),
    auditRetentionDays: int(env.AUDIT_RETENTION_DAYS, 365, 1, 3650),
    webauthn: {
      rpId: (env.WEBAUTHN_RP_ID || hostOf(env.PUBLIC_BASE_URL || "http://127.0.0.1:8787")).trim().toLowerCase(),
      rpName: (env.WEBAUTHN_RP_NAME || env.MAIL_FROM_NAME || "Auth2").slice(0, 64),
    },
    benchRoutes: env.BENCH_ROUTES === "1",
  };
  cache.set(env, config);
  return config;
}
