import type { Env } from "./env";
import { readConfig } from "./env";
import { fromBase64 } from "./crypto/encoding";
import { isRelyingPartyConfigured } from "./services/passkeys/relying-party";

// Production mode refuses to serve until it is configured for production: a Worker deployed with a
// missing secret or a value copied from development must fail loudly (503 not_configured, one log
// line naming what is wrong) instead of issuing codes under a guessable key or mailing nothing.

/**
 * Secret values that ship in this repository (.dev.vars.example, the test pool, the bench): public,
 * so never acceptable in production. test/foundation/production-check.test.ts keeps this list in
 * step with those files.
 */
export const DEVELOPMENT_SECRET_VALUES: readonly string[] = [
  "dev-code-hmac-key-not-secret",
  "ZGV2LXRvdHAta2V5LTMyLWJ5dGVzLW5vdC1zZWNyZXQ=",
  "dev-pepper-not-secret",
  "a2s_dev_bootstrap_key_not_secret_000000",
  "test-code-hmac-key",
  "dGVzdC10b3RwLWtleS0zMi1ieXRlcy1ub3Qtc2VjciE=",
  "test-pepper",
  "a2s_test_bootstrap_key_000000000000000000",
];

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

/** Whether a URL host names this machine (development mode answers only for these). */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname.toLowerCase());
}

function isDevelopmentValue(value: string): boolean {
  return DEVELOPMENT_SECRET_VALUES.includes(value) || /not[-_]?secret/i.test(value);
}

function isAesKey(value: string): boolean {
  try {
    return fromBase64(value).length === 32;
  } catch {
    return false;
  }
}

/** What a secret is missing or wrong for production (null when it is fine). */
function secretProblem(name: string, value: string | undefined, required: boolean, valid: (v: string) => boolean = () => true): string | null {
  if (value === undefined || value === "") return required ? `${name} is not set` : null;
  if (isDevelopmentValue(value)) return `${name} is a development value`;
  if (!valid(value)) return `${name} is not valid`;
  return null;
}

/**
 * Everything that keeps this deployment from serving in production mode, in words an operator acts
 * on (names only, never values). Empty in development mode and when production is configured.
 */
export function findProductionProblems(env: Env): string[] {
  const config = readConfig(env);
  // ENVIRONMENT=development (also when a non-local host switched its features off) is not production mode.
  if (config.environment === "development") return [];
  const problems: (string | null)[] = [
    secretProblem("CODE_HMAC_KEY", env.CODE_HMAC_KEY, true, (v) => v.length >= 32),
    secretProblem("TOTP_ENCRYPTION_KEY", env.TOTP_ENCRYPTION_KEY, true, isAesKey),
    secretProblem("PASSWORD_PEPPER", env.PASSWORD_PEPPER, false),
    secretProblem("SERVICE_BOOTSTRAP_KEY", env.SERVICE_BOOTSTRAP_KEY, false),
  ];
  switch (config.mailProvider) {
    case "resend":
      problems.push(secretProblem("RESEND_API_KEY", env.RESEND_API_KEY, true));
      break;
    case "postmark":
      problems.push(secretProblem("POSTMARK_API_KEY", env.POSTMARK_API_KEY, true));
      break;
    case "cloudflare":
      if (!env.SEND_EMAIL) problems.push("MAIL_PROVIDER=cloudflare needs the SEND_EMAIL binding");
      break;
    case "log":
      problems.push("MAIL_PROVIDER=log is for development only (choose resend, postmark or cloudflare)");
      break;
    default:
      problems.push("MAIL_PROVIDER is not one of resend, postmark, cloudflare");
  }
  let base: URL | null = null;
  try {
    base = new URL(env.PUBLIC_BASE_URL ?? "");
  } catch {
    base = null;
  }
  if (!base || base.protocol !== "https:") problems.push("PUBLIC_BASE_URL is not an https URL");
  else if (isLoopbackHost(base.hostname)) problems.push("PUBLIC_BASE_URL names a local host");
  else if (/(^|\.)example(\.(com|net|org))?$/i.test(base.hostname)) problems.push("PUBLIC_BASE_URL is still the example placeholder");
  // Passkeys only work for the RP ID they were made for: a wrong one must not reach the first enrolment.
  if (env.WEBAUTHN_RP_ID && !isRelyingPartyConfigured(config)) {
    problems.push("WEBAUTHN_RP_ID is not PUBLIC_BASE_URL's host or a registrable domain above it (never an IP address or a public suffix)");
  }
  return problems.filter((p): p is string => p !== null);
}

const checked = new WeakMap<object, string[]>();

/** findProductionProblems once per env object (an isolate keeps it), logging the problems once. */
export function productionProblems(env: Env): string[] {
  let problems = checked.get(env);
  if (!problems) {
    problems = findProductionProblems(env);
    checked.set(env, problems);
    if (problems.length > 0) {
      console.error(JSON.stringify({ level: "error", event: "not_configured", environment: readConfig(env).environment, problems }));
    }
  }
  return problems;
}
