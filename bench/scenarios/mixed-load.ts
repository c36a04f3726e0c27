import { sha256Hex } from "../../src/crypto/hmac";
import { hasKeyShape } from "../../src/crypto/key-secret";
import { generateTotpSecret, totpCodeAt } from "../../src/crypto/totp-code";
import { encryptTotpSecret } from "../../src/crypto/totp-secret";
import {
  answers,
  checkApiKeys,
  checkLogin,
  checkLogin2fa,
  checkReset,
  checkService,
  CONNECTIONS,
  figures,
  keyTokens,
  type Label,
  meTokens,
  RESET_SITE,
  stepMs,
  tag,
  tokenOf,
} from "../lib/mixed-load-checks";
import type { BenchContext, RouteResult, RouteSpec, Scenario } from "../lib/types";

// Issue 9: a mixed load — password logins without and with 2FA (TOTP), auth_me, auth_api_key_verify,
// service/user_resolve, password-reset requests and API keys created and revoked, all at once for BENCH_MIXED_SECONDS (default 300),
// each route with its own connections, users, site and client addresses. Then every write is
// accounted for: each request carries its own tag (User-Agent `mixed/<route>/<i>`, stored with the
// audit rows and sessions it writes), and for every answered request the rows it must have left are
// found exactly once — sessions (in each user's UserState object), API-key rows, audit rows, and reset mails
// (mail_log and the deliveries the fake mail provider accepted, after the queue drained). No 5xx, no 429 expected.
// Sign-ins run at a fixed rate (BENCH_MIXED_LOGIN_RATE per route, default 0.5/s), the rest flat out.

const SECONDS = Number(process.env.BENCH_MIXED_SECONDS || 300);
/**
 * Sign-ins per second, per sign-in route. workerd runs the Worker on one thread and each sign-in
 * blocks it for one scrypt hash (~225 ms of CPU), so sign-ins at full speed would leave the other
 * routes nothing: at 0.5/s each, hashing takes about a quarter of the Worker's thread (idle machine) and the cheap routes
 * take the rest as fast as their connections go.
 */
const LOGIN_RATE = Number(process.env.BENCH_MIXED_LOGIN_RATE || 0.5);
const PW_SITE = "bench-mix-pw";
const TFA_SITE = "bench-mix-2fa";
const ME_SITE = "bench-mix-me";
const PW_USERS = 3_000;
const TFA_USERS = 3_000;
const ME_SESSIONS = 16;
const SVC_USERS = 1_000;
const RESET_USERS = 60_000;
/** Every 10th reset request names an address without an account (answered the same, mails nothing). */
const RESET_UNKNOWN_EVERY = 10;
const API_KEY = `a2k_0123456789cd_${"E".repeat(21)}mixed${"F".repeat(17)}`;
const SERVICE_KEY = `a2s_cd9876543210_${"G".repeat(21)}mixed${"H".repeat(17)}`;
const SERVICE_KEY_ID = "svk_mix_1";
const TOTP_SECRET = generateTotpSecret();

const KEY_USERS = 8;


/** A distinct client address per request (per-IP limits must never answer instead of the route). */
function clientIp(route: number, i: number): string {
  return `10.${route * 16 + ((i >> 16) & 15)}.${(i >> 8) & 255}.${i & 255}`;
}


function route(label: Label, spec: Omit<RouteSpec, "label" | "connections" | "durationSeconds">): RouteSpec {
  return { label, connections: CONNECTIONS[label], durationSeconds: SECONDS, ...spec };
}

async function seedTotpUsers(ctx: BenchContext): Promise<void> {
  await ctx.seedUsers(TFA_USERS, { idPrefix: "usr_mix2f_", emailPrefix: "mix2f" });
  const now = Date.now();
  for (let from = 1; from <= TFA_USERS; from += 500) {
    const statements = [];
    for (let n = from; n < Math.min(TFA_USERS + 1, from + 500); n++) {
      // Sealed as the Worker seals it (AES-GCM under TOTP_ENCRYPTION_KEY, the user id as associated data).
      const sealed = await encryptTotpSecret(ctx.vars.TOTP_ENCRYPTION_KEY, TOTP_SECRET, `usr_mix2f_${n}`);
      statements.push(ctx.db.prepare("UPDATE users SET totp_secret_enc = ?, totp_enabled_at = ? WHERE id = ?").bind(sealed, now, `usr_mix2f_${n}`));
    }
    await ctx.db.batch(statements);
  }
}

const scenario: Scenario = {
  name: "mixed-load",
  description: `logins (no 2FA, TOTP 2FA; ${LOGIN_RATE}/s each), auth_me, api_key_verify, user_resolve, reset requests, API key create+revoke at once for ${SECONDS} s; every write accounted for`,
  order: 90,
  schedule: "concurrent",
  async setup(ctx) {
    for (const map of Object.values(answers)) map.clear();
    meTokens.length = 0;
    keyTokens.length = 0;
    figures.length = 0;
    for (const steps of Object.values(stepMs)) steps.length = 0;
    await ctx.seedSite(PW_SITE, { policy: { login_mode: "password", twofa_mode: "off" } });
    await ctx.seedSite(TFA_SITE, { policy: { login_mode: "password", twofa_mode: "optional" } });
    await ctx.seedSite(ME_SITE, { policy: { login_mode: "password", twofa_mode: "off" } });
    await ctx.seedSite(RESET_SITE, { policy: { reset_mode: "link" } });
    await ctx.seedUsers(PW_USERS, { idPrefix: "usr_mixpw_", emailPrefix: "mixpw" });
    await seedTotpUsers(ctx);
    await ctx.seedUsers(ME_SESSIONS, { idPrefix: "usr_mixme_", emailPrefix: "mixme" });
    await ctx.seedUsers(SVC_USERS, { idPrefix: "usr_mixsvc_", emailPrefix: "mixsvc" });
    await ctx.seedUsers(RESET_USERS, { idPrefix: "usr_mixrs_", emailPrefix: "mixrs", passwordHash: null });
    if (!hasKeyShape("a2k_", API_KEY) || !hasKeyShape("a2s_", SERVICE_KEY)) throw new Error("mixed-load setup: key secrets have the wrong shape");
    const now = Date.now();
    await ctx.sql(
      "INSERT INTO user_api_keys (id, user_id, name, prefix, secret_hash, scopes, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, NULL, ?)",
      "key_mix_1", "usr_mixsvc_1", "mixed key", API_KEY.slice(0, 16), sha256Hex(API_KEY), "[]", now,
    );
    await ctx.sql(
      "INSERT INTO service_keys (id, name, prefix, secret_hash, scopes, created_by, created_at) VALUES (?, ?, ?, ?, ?, NULL, ?)",
      SERVICE_KEY_ID, "mixed backend", SERVICE_KEY.slice(0, 16), sha256Hex(SERVICE_KEY), JSON.stringify(["api_key_verify", "user_resolve"]), now,
    );
    await ctx.seedUsers(KEY_USERS, { idPrefix: "usr_mixkey_", emailPrefix: "mixkey" });
    for (let n = 1; n <= KEY_USERS; n++) {
      const res = await ctx.call("/api/auth_login", { json: { site_key: ME_SITE, email: `mixkey${n}@bench.test`, password: ctx.password }, headers: { "cf-connecting-ip": `10.251.0.${n}` } });
      const token = tokenOf(await res.text());
      if (res.status !== 200 || !token) throw new Error(`mixed-load setup: key user login ${n} answered ${res.status}`);
      keyTokens.push(token);
    }
    for (let n = 1; n <= ME_SESSIONS; n++) {
      const res = await ctx.call("/api/auth_login", { json: { site_key: ME_SITE, email: `mixme${n}@bench.test`, password: ctx.password }, headers: { "cf-connecting-ip": `10.250.0.${n}` } });
      const token = tokenOf(await res.text());
      if (res.status !== 200 || !token) throw new Error(`mixed-load setup: login ${n} answered ${res.status}`);
      meTokens.push(token);
    }
    ctx.log(`${PW_USERS + TFA_USERS + ME_SESSIONS + KEY_USERS + SVC_USERS + RESET_USERS} users, ${ME_SESSIONS + KEY_USERS} sessions; ${SECONDS} s of load (BENCH_MIXED_SECONDS)`);
  },
  routes: [
    route("auth_login", {
      // A different user and address per request; each password is right (2FA off on this site). A
      // one-request flow: the harness paces flows (fractional rates), and the flow keeps the token.
      request: {
        flow: async (i, send) => {
          const n = (i % PW_USERS) + 1;
          const entry: { status: number; user: string; token?: string } = { status: 0, user: `usr_mixpw_${n}` };
          answers.auth_login.set(i, entry);
          const res = await send({
            method: "POST",
            path: "/api/auth_login",
            headers: { "cf-connecting-ip": clientIp(1, i), "user-agent": tag("auth_login", i) },
            body: { site_key: PW_SITE, email: `mixpw${n}@bench.test`, password: "bench-Password-2026!" },
          });
          entry.status = res.status;
          const token = tokenOf(res.body);
          if (token) entry.token = token;
        },
      },
      floor: "login/auth_login",
      rate: LOGIN_RATE,
      check: checkLogin,
    }),
    route("auth_login_2fa", {
      // Password, then the TOTP code of the moment (computed here from the seeded secret): two requests, one sample.
      request: {
        flow: async (i, send) => {
          const n = (i % TFA_USERS) + 1;
          const headers = { "cf-connecting-ip": clientIp(2, i), "user-agent": tag("auth_login_2fa", i) };
          const entry: { login: number; verify?: number; user: string; token?: string } = { login: 0, user: `usr_mix2f_${n}` };
          answers.auth_login_2fa.set(i, entry);
          const login = await send({ method: "POST", path: "/api/auth_login", headers, body: { site_key: TFA_SITE, email: `mix2f${n}@bench.test`, password: "bench-Password-2026!" } });
          entry.login = login.status;
          stepMs.login.push(login.ms);
          const challenge = (JSON.parse(login.body) as { challenge?: { token?: string; factor?: string } }).challenge;
          if (login.status !== 200 || challenge?.factor !== "totp" || !challenge.token) {
            entry.login = login.status === 200 ? 0 : login.status; // 0: an answer without a TOTP challenge
            return;
          }
          const verify = await send({ method: "POST", path: "/api/auth_factor_verify", headers, body: { challenge_token: challenge.token, code: totpCodeAt(TOTP_SECRET, Date.now()) } });
          entry.verify = verify.status;
          stepMs.verify.push(verify.ms);
          const token = tokenOf(verify.body);
          if (token) entry.token = token;
        },
      },
      floor: "login/auth_login",
      rate: LOGIN_RATE,
      check: checkLogin2fa,
    }),
    route("auth_me", {
      request: (i) => ({ path: "/api/auth_me", headers: { authorization: `Bearer ${meTokens[i % meTokens.length]}`, "user-agent": tag("auth_me", i) } }),
      onResponse: (i, status) => answers.auth_me.set(i, status),
      floor: "do",
    }),
    route("api_key_verify", {
      request: (i) => ({
        method: "POST",
        path: "/api/auth_api_key_verify",
        headers: { "x-service-key": SERVICE_KEY, "user-agent": tag("api_key_verify", i) },
        body: { api_key: API_KEY },
      }),
      onResponse: (i, status) => answers.api_key_verify.set(i, status),
      floor: "d1",
      check: (ctx) => checkService(ctx, "api_key_verify", "service.api_key_verify"),
    }),
    route("user_resolve", {
      request: (i) => ({
        method: "POST",
        path: "/api/service/user_resolve",
        headers: { "x-service-key": SERVICE_KEY, "user-agent": tag("user_resolve", i) },
        body: { auth_user_id: `usr_mixsvc_${(i % SVC_USERS) + 1}` },
      }),
      onResponse: (i, status) => answers.user_resolve.set(i, status),
      floor: "d1",
      check: (ctx) => checkService(ctx, "user_resolve", "service.user_resolve"),
    }),
    route("password_reset_request", {
      // A different address and client per request (3 requests per address per hour, 30 per client).
      request: (i) => ({
        method: "POST",
        path: "/api/auth_password_reset_request",
        headers: { "cf-connecting-ip": clientIp(6, i), "user-agent": tag("password_reset_request", i) },
        body: { site_key: RESET_SITE, email: resetEmail(i).email },
      }),
      onResponse: (i, status) => answers.password_reset_request.set(i, { status, ...resetEmail(i) }),
      floor: "d1",
      check: checkReset,
    }),
    route("api_keys", {
      // A user creates an API key (named after the request's tag) and revokes it again: two writes per
      // sample, and never more than a few active keys per user (the limit is 50).
      request: {
        flow: async (i, send) => {
          const headers = { authorization: `Bearer ${keyTokens[i % keyTokens.length]}`, "user-agent": tag("api_keys", i) };
          const entry: { create: number; revoke?: number; id?: string } = { create: 0 };
          answers.api_keys.set(i, entry);
          const made = await send({ method: "POST", path: "/api/auth_api_keys_create", headers, body: { name: tag("api_keys", i) } });
          entry.create = made.status;
          stepMs.create.push(made.ms);
          const id = made.status === 200 ? (JSON.parse(made.body) as { key?: { id?: string } }).key?.id : undefined;
          if (!id) return;
          entry.id = id;
          const gone = await send({ method: "POST", path: "/api/auth_api_keys_revoke", headers, body: { id } });
          entry.revoke = gone.status;
          stepMs.revoke.push(gone.ms);
        },
      },
      floor: "d1",
      check: checkApiKeys,
    }),
  ],
  summary: (results) => summarise(results),
};

function resetEmail(i: number): { email: string; known: boolean } {
  if (i % RESET_UNKNOWN_EVERY === RESET_UNKNOWN_EVERY - 1) return { email: `mixrs-unknown${i}@bench.test`, known: false };
  return { email: `mixrs${(i % RESET_USERS) + 1}@bench.test`, known: true };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN;
}

function summarise(results: ReadonlyMap<string, RouteResult>): string[] {
  const mine = [...results.values()].filter((r) => r.scenario === "mixed-load");
  if (mine.length === 0) return [];
  let total = 0;
  let fivexx = 0;
  let limited = 0;
  const parts: string[] = [];
  for (const r of mine) {
    const counts = r.stats.statusCounts;
    const n = Object.values(counts).reduce((a, b) => a + b, 0);
    total += n;
    fivexx += Object.entries(counts).filter(([s]) => Number(s) >= 500).reduce((a, [, v]) => a + v, 0);
    limited += counts["429"] ?? 0;
    const rps = "rps" in r.stats ? r.stats.rps : NaN;
    parts.push(`${r.label} ${rps.toFixed(1)}/s p50 ${r.stats.latency.p50.toFixed(1)} p99 ${r.stats.latency.p99.toFixed(1)} ms`);
  }
  const seconds = Math.max(...mine.map((r) => ("durationSeconds" in r.stats ? r.stats.durationSeconds : 0)));
  const lines = [
    `Mixed load (${Math.round(seconds)} s, all routes at once): ${total} responses (${(total / seconds).toFixed(0)}/s; 2FA sign-ins and API-key samples count both requests), ${fivexx} 5xx, ${limited} 429 — ${parts.join("; ")}.`,
  ];
  if (stepMs.login.length) {
    lines.push(`Mixed load, 2FA sign-in steps: password step p50 ${percentile(stepMs.login, 50).toFixed(1)} / p99 ${percentile(stepMs.login, 99).toFixed(1)} ms, TOTP step p50 ${percentile(stepMs.verify, 50).toFixed(1)} / p99 ${percentile(stepMs.verify, 99).toFixed(1)} ms.`);
  }
  if (stepMs.create.length) {
    lines.push(`Mixed load, API keys: create p50 ${percentile(stepMs.create, 50).toFixed(1)} / p99 ${percentile(stepMs.create, 99).toFixed(1)} ms, revoke p50 ${percentile(stepMs.revoke, 50).toFixed(1)} / p99 ${percentile(stepMs.revoke, 99).toFixed(1)} ms.`);
  }
  if (figures.length) lines.push(`Mixed load, writes accounted for (found once / answered): ${figures.join("; ")}.`);
  return lines;
}

export default scenario;
