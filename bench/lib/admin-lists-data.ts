import type { BenchContext } from "./types";

// The admin-lists scenario's tables (bench/scenarios/admin-lists.ts), generated in SQL from the row
// number n alone: user n (1…100 000) and audit row n (1…1 000 000). Setup inserts every 100th user /
// every 1 000th audit row ("small"), the large measurement the rest, so both sizes cover the same
// months, actors, names and domains.

export const USERS = 100_000;
export const USER_STRIDE = 100; // setup: users n ≡ 0 (mod 100)
export const AUDIT_ROWS = 1_000_000;
export const AUDIT_STRIDE = 1_000; // setup: audit rows n ≡ 0 (mod 1 000)
export const USER_STEP_MS = 15 * 60_000; // 100 000 users over ~2.9 years
export const AUDIT_STEP_MS = 15_000; // 1 000 000 audit rows over ~174 days

const FIRST = ["Ada", "Alan", "Barbara", "Claude", "Dana", "Edsger", "Frances", "Grace", "Hedy", "Ivan", "John", "Joan", "Ken", "Linus", "Margaret", "Niklaus", "Olga", "Radia", "Sophie", "Tim"];
const LAST = ["Lovelace", "Turing", "Liskov", "Shannon", "Scott", "Dijkstra", "Allen", "Hopper", "Lamarr", "Sutherland", "Backus", "Clarke", "Thompson", "Torvalds", "Hamilton", "Wirth", "Taussky", "Perlman", "Wilson", "Berners-Lee"];
const DOMAINS = ["example.com", "example.org", "corp.example", "mail.example.net"];
const SITES = ["al-portal", "al-shop", "al-wiki", "al-hr", "al-crm", "al-support", "al-docs", "al-status"];

/** 16 well-mixed bits of n (multiplicative hashing; high bits, so multiples of 100 or 1 000 mix too). */
const mix = (mult: number, expr = "n") => `((((${expr}) * ${mult}) % 4294967296) / 65536)`;
const sqlStr = (s: string) => `'${s.replace(/'/g, "''")}'`;
const pick = (list: string[], index: string) => `CASE (${index}) % ${list.length} ${list.map((v, i) => `WHEN ${i} THEN ${sqlStr(v)}`).join(" ")} END`;

/** Where the generated rows sit in time and ids (fixed in the scenario's setup). */
export interface SeedClock {
  userT0: number;
  auditT0: number;
  auditBase: number;
}

/** Users n = f(m) for m = 1…count: the user columns as SQL of `n`. */
function userColumns(n: string, hash: string, t: SeedClock): Record<string, string> {
  const first = pick(FIRST, mix(2654435761, n));
  const last = pick(LAST, mix(2246822519, n));
  const status = `CASE WHEN ${mix(3266489917, n)} % 100 < 85 THEN 'active' WHEN ${mix(3266489917, n)} % 100 < 95 THEN 'pending' ELSE 'disabled' END`;
  const created = `${t.userT0} + (${n}) * ${USER_STEP_MS}`;
  return {
    id: `'usr_al_' || (${n})`,
    email: `lower(${first} || '.' || replace(${last}, '-', '') || (${n}) || '@' || ${pick(DOMAINS, mix(668265263, n))})`,
    email_verified: `CASE WHEN ${status} = 'pending' THEN 0 ELSE 1 END`,
    name: `${first} || ' ' || ${last}`,
    status,
    password_hash: `CASE WHEN ${status} = 'pending' THEN NULL ELSE ${sqlStr(hash)} END`,
    password_changed_at: `CASE WHEN ${status} = 'pending' THEN NULL ELSE ${created} END`,
    source: `CASE WHEN ${mix(374761393, n)} % 4 = 0 THEN 'import' ELSE 'admin' END`,
    created_at: created,
    updated_at: created,
  };
}

/**
 * Audit row n: 55 % a user's own events (logins, profile, keys, resets) on one of 8 sites, 20 % service
 * calls by 5 service keys, 12 % anonymous (unknown-email logins, reset requests), 13 % admin actions by
 * 4 admins; outcomes success/failure/denied as the action implies. id = base + n, at = t0 + n × 15 s.
 */
function auditColumns(n: string, t: SeedClock): Record<string, string> {
  const kind = `(${mix(2654435761, n)} % 100)`;
  const sub = `(${mix(3266489917, n)} % 20)`;
  // (`||` binds tighter than arithmetic in SQLite: the number is parenthesised.)
  const user = `('usr_al_' || (1 + (${mix(2246822519, n)} * 65536 + ${mix(668265263, n)}) % ${USERS}))`;
  const userAction = pick(
    ["login.success", "login.success", "login.success", "login.success", "login.success", "login.success", "login.success", "login.success", "login.success", "login.success", "login.success", "login.success", "login.failure", "login.failure", "profile.update", "api_key.create", "password_reset.completed", "onboarding.completed", "factor.sent", "login.lockout"],
    sub,
  );
  const adminAction = pick(["user.update", "user.update", "user.update", "user.create", "user.disable", "user.onboarding_resend", "site.update", "service_key.create", "site.policy_update", "user.delete"], sub);
  return {
    id: `${t.auditBase} + (${n})`,
    at: `${t.auditT0} + (${n}) * ${AUDIT_STEP_MS}`,
    actor_type: `CASE WHEN ${kind} < 55 THEN 'user' WHEN ${kind} < 75 THEN 'service' WHEN ${kind} < 87 THEN 'anonymous' ELSE 'admin' END`,
    actor_id: `CASE WHEN ${kind} < 55 THEN ${user} WHEN ${kind} < 75 THEN 'svk_al_' || (1 + ${sub} % 5) WHEN ${kind} < 87 THEN NULL ELSE 'adm_al_' || (1 + ${sub} % 4) END`,
    action: `CASE WHEN ${kind} < 55 THEN ${userAction} WHEN ${kind} < 75 THEN CASE WHEN ${sub} < 12 THEN 'service.api_key_verify' ELSE 'service.user_resolve' END WHEN ${kind} < 87 THEN CASE WHEN ${sub} < 14 THEN 'login.failure' ELSE 'password_reset.requested' END ELSE ${adminAction} END`,
    target_type: `CASE WHEN ${kind} >= 75 AND ${kind} < 87 AND ${sub} < 7 THEN NULL WHEN ${kind} >= 87 AND ${sub} IN (6, 8) THEN 'site' WHEN ${kind} >= 87 AND ${sub} = 7 THEN 'service_key' ELSE 'user' END`,
    target_id: `CASE WHEN ${kind} >= 75 AND ${kind} < 87 AND ${sub} < 7 THEN NULL WHEN ${kind} >= 87 AND ${sub} IN (6, 8) THEN ${pick(SITES, mix(374761393, n))} WHEN ${kind} >= 87 AND ${sub} = 7 THEN 'svk_al_' || (${sub} % 5 + 1) ELSE ${user} END`,
    site_key: `CASE WHEN ${kind} < 55 OR (${kind} >= 75 AND ${kind} < 87) OR (${kind} >= 87 AND ${sub} IN (6, 8)) THEN ${pick(SITES, mix(374761393, n))} ELSE NULL END`,
    ip: `'198.51.100.' || (${mix(668265263, n)} % 254 + 1)`,
    user_agent: `CASE WHEN ${kind} >= 55 AND ${kind} < 75 THEN 'backend/1.0' ELSE 'Mozilla/5.0 (bench)' END`,
    request_id: `'req_al_' || (${n})`,
    outcome: `CASE WHEN ${kind} < 55 AND ${sub} IN (12, 13) THEN 'failure' WHEN ${kind} < 55 AND ${sub} = 19 THEN 'denied' WHEN ${kind} >= 55 AND ${kind} < 75 AND ${sub} = 0 THEN 'failure' WHEN ${kind} >= 75 AND ${kind} < 87 AND ${sub} < 14 THEN 'failure' WHEN ${kind} >= 87 AND ${sub} = 5 AND ${mix(374761393, n)} % 3 = 0 THEN 'denied' ELSE 'success' END`,
    details: `'{"bench":true}'`,
  };
}

/** Seeds users with n ∈ [1, USERS]: every USER_STRIDE-th (small) or all the others (large). */
export async function seedUsers(ctx: BenchContext, subset: "small" | "rest", t: SeedClock): Promise<void> {
  const hash = await ctx.hashPassword(ctx.password);
  const stride = USER_STRIDE;
  // m = 1, 2, … → n = m × stride (small) or the m-th n that is not a multiple of stride (rest).
  const n = subset === "small" ? `(n * ${stride})` : `(n + (n - 1) / ${stride - 1})`;
  await ctx.bulkInsert("users", subset === "small" ? USERS / stride : USERS - USERS / stride, userColumns(n, hash, t));
}

export async function seedAudit(ctx: BenchContext, subset: "small" | "rest", t: SeedClock): Promise<void> {
  const stride = AUDIT_STRIDE;
  const n = subset === "small" ? `(n * ${stride})` : `(n + (n - 1) / ${stride - 1})`;
  await ctx.bulkInsert("audit_log", subset === "small" ? AUDIT_ROWS / stride : AUDIT_ROWS - AUDIT_ROWS / stride, auditColumns(n, t));
}

