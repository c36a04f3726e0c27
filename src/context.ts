import type { Config } from "./config";
import type { Env } from "./env";
import { readConfig } from "./env";
import { type Store, createStore } from "./store";

// The request context: everything a service may use, built once per request by the context
// middleware (and once per queue batch or scheduled run by the Worker's entry points). Services
// take `(ctx, input)`; only this module reads the Worker's env.

/** Who made a request and from where: audit rows, limits and sessions read it. */
export interface RequestMeta {
  requestId: string;
  /** CF-Connecting-IP in canonical form (src/lib/ip.ts). */
  ip: string;
  userAgent: string;
}

/** Mail provider credentials (and the send_email binding, a capability like a key). */
export interface MailCredentials {
  resendApiKey: string | undefined;
  postmarkApiKey: string | undefined;
  sendEmail: SendEmail | undefined;
}

export interface Secrets {
  /** The HMAC key for codes and tokens at rest. Throws when it is missing: Auth2 fails closed. */
  codeKey(): string;
  /** Optional HMAC pepper applied before scrypt. */
  readonly pepper: string | undefined;
  /** Base64 AES key sealing TOTP secrets. */
  readonly totpKey: string | undefined;
  /** The optional service key with every scope. */
  readonly bootstrapServiceKey: string | undefined;
  /** Firebase service-account JSON (client_email, private_key). */
  readonly firebaseServiceAccount: string | undefined;
  readonly mail: MailCredentials;
}

/**
 * Runs work after the response (ctx.waitUntil) under one error policy: a failure is logged with the
 * request id and `kind` (never the work's data: it may hold a code or a link) and never reaches the
 * client. Without an execution context (the app driven directly) the promise simply runs on.
 */
export type Defer = (work: Promise<unknown>, kind?: string) => void;

export interface Ctx {
  readonly store: Store;
  readonly config: Config;
  readonly secrets: Secrets;
  readonly meta: RequestMeta;
  /** The request's clock (ms), read once. */
  readonly now: number;
  readonly defer: Defer;
}

const secretsCache = new WeakMap<Env, Secrets>();

function readSecrets(env: Env): Secrets {
  let secrets = secretsCache.get(env);
  if (!secrets) {
    const codeKey = env.CODE_HMAC_KEY;
    secrets = {
      codeKey() {
        if (!codeKey || codeKey.length < 16) throw new Error("CODE_HMAC_KEY is not configured");
        return codeKey;
      },
      pepper: env.PASSWORD_PEPPER || undefined,
      totpKey: env.TOTP_ENCRYPTION_KEY,
      bootstrapServiceKey: env.SERVICE_BOOTSTRAP_KEY,
      firebaseServiceAccount: env.FIREBASE_SERVICE_ACCOUNT,
      mail: { resendApiKey: env.RESEND_API_KEY, postmarkApiKey: env.POSTMARK_API_KEY, sendEmail: env.SEND_EMAIL },
    };
    secretsCache.set(env, secrets);
  }
  return secrets;
}

/** The one place deferred work is guarded: see Defer. */
export function createDefer(waitUntil: ((work: Promise<unknown>) => void) | null, requestId: string): Defer {
  return (work, kind = "deferred") => {
    const guarded = work.catch((err: unknown) => {
      console.error(JSON.stringify({ level: "error", request_id: requestId, kind, name: err instanceof Error ? err.name : "unknown" }));
    });
    if (!waitUntil) return;
    try {
      waitUntil(guarded);
    } catch {
      // No execution context (never in production): the promise still runs to completion.
    }
  };
}

export interface ContextOptions {
  meta: RequestMeta;
  /** ctx.waitUntil of the request, batch or scheduled run; null when there is none. */
  waitUntil: ((work: Promise<unknown>) => void) | null;
  now?: number;
}

/** Builds a context for `env` (config, secrets and store are built once per env object and shared). */
export function createContext(env: Env, options: ContextOptions): Ctx {
  const config = readConfig(env);
  const secrets = readSecrets(env);
  return {
    store: createStore(env, secrets),
    config,
    secrets,
    meta: options.meta,
    now: options.now ?? Date.now(),
    defer: createDefer(options.waitUntil, options.meta.requestId),
  };
}

/** The meta of work no client asked for (queue batches, scheduled runs). */
export function systemMeta(requestId: string): RequestMeta {
  return { requestId, ip: "", userAgent: "" };
}
