import { type Accounting, account, accountingProblems, accountingText, countByIndex, requestTag, settle } from "./accounting";
import type { BenchContext } from "./types";

// The mixed-load scenario's records (what the harness saw per request) and its write accounting:
// for every answered request, the rows it must have left — sessions, API-key rows, audit rows,
// reset mails — found exactly once (bench/scenarios/mixed-load.ts).

export const RESET_SITE = "bench-mix-reset";

/** Connections per route of the mixed load. */
export const CONNECTIONS = { auth_login: 2, auth_login_2fa: 2, auth_me: 6, api_key_verify: 6, user_resolve: 6, password_reset_request: 6, api_keys: 4 } as const;
export type Label = keyof typeof CONNECTIONS;

/** The User-Agent of request `i` of a route: `mixed/<route>/<i>`, stored with what the request writes. */
export const tag = (label: Label, i: number) => requestTag(`mixed/${label}`, i);

/** What the harness saw, per route: request index → status (and the user / token where it matters). */
export const answers = {
  auth_login: new Map<number, { status: number; user: string; token?: string }>(),
  auth_login_2fa: new Map<number, { login: number; verify?: number; user: string; token?: string }>(),
  auth_me: new Map<number, number>(),
  api_key_verify: new Map<number, number>(),
  user_resolve: new Map<number, number>(),
  password_reset_request: new Map<number, { status: number; email: string; known: boolean }>(),
  api_keys: new Map<number, { create: number; revoke?: number; id?: string }>(),
};
export const meTokens: string[] = [];
export const keyTokens: string[] = [];
export const figures: string[] = [];
export const stepMs = { login: [] as number[], verify: [] as number[], create: [] as number[], revoke: [] as number[] };

export function tokenOf(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { session?: { token?: string } }).session?.token;
  } catch {
    return undefined;
  }
}

export const is2xx = (s: number | undefined) => s !== undefined && s >= 200 && s < 300;

function indices<T>(map: Map<number, T>, pick: (v: T) => boolean = () => true): Set<number> {
  return new Set([...map].filter(([, v]) => pick(v)).map(([i]) => i));
}

/** Audit rows of one action per request index of a route. */
async function auditRows(ctx: BenchContext, label: Label, action: string): Promise<Map<number, number>> {
  const prefix = `mixed/${label}`;
  const rows = await ctx.sql<{ tag: string; n: number }>(
    "SELECT user_agent AS tag, count(*) AS n FROM audit_log WHERE action = ? AND user_agent LIKE ? GROUP BY user_agent",
    action,
    `${prefix}/%`,
  );
  return countByIndex(prefix, rows);
}

interface SessionView {
  user_agent: string;
  factors: string[];
}

/** Sessions per request index, read from each user's UserState object (RPC through Miniflare). */
async function sessionRows(ctx: BenchContext, label: Label, users: Iterable<string>): Promise<{ rows: Map<number, number>; factors: Map<number, string[]> }> {
  const ns = await ctx.mf.getDurableObjectNamespace("USER_STATE");
  const prefix = `mixed/${label}`;
  const all: { tag: string; n: number }[] = [];
  const factors = new Map<number, string[]>();
  const queue = [...new Set(users)];
  const now = Date.now();
  const worker = async () => {
    for (let user = queue.pop(); user !== undefined; user = queue.pop()) {
      const stub = ns.get(ns.idFromName(user)) as unknown as { listSessions(now: number): Promise<SessionView[]> };
      for (const s of await stub.listSessions(now)) {
        all.push({ tag: s.user_agent, n: 1 });
        const i = Number(s.user_agent.slice(prefix.length + 1));
        if (s.user_agent.startsWith(`${prefix}/`)) factors.set(i, s.factors);
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return { rows: countByIndex(prefix, all), factors };
}

/** Requests a load generator may leave in flight when it stops (warm-up and measurement): their rows may exist. */
const slack = (label: Label) => 2 * CONNECTIONS[label];

function record(label: string, a: Accounting, problems: string[], what: string, extraSlack = 0): void {
  problems.push(...accountingProblems(`${label} ${what}`, a, extraSlack));
  figures.push(accountingText(`${label} ${what}`, a));
}

export async function checkLogin(ctx: BenchContext): Promise<string[]> {
  const problems: string[] = [];
  const seen = answers.auth_login;
  const ok = indices(seen, (v) => is2xx(v.status));
  const all = indices(seen);
  const audit = await settle(ctx, () => auditRows(ctx, "auth_login", "login.success").then((m) => [...m]));
  record("auth_login", account(new Map(audit), ok, all), problems, "login.success audit rows", slack("auth_login"));
  const sessions = await sessionRows(ctx, "auth_login", [...seen.values()].map((v) => v.user));
  record("auth_login", account(sessions.rows, ok, all), problems, "sessions", slack("auth_login"));
  const tokens = [...seen.values()].map((v) => v.token).filter((t): t is string => t !== undefined);
  if (new Set(tokens).size !== tokens.length) problems.push(`auth_login: ${tokens.length - new Set(tokens).size} session tokens handed out twice`);
  if (tokens.length !== ok.size) problems.push(`auth_login: ${ok.size} 2xx answers but ${tokens.length} tokens`);
  const failures = await auditRows(ctx, "auth_login", "login.failure");
  if (failures.size > 0) problems.push(`auth_login: ${failures.size} login.failure rows (every password was right)`);
  return problems;
}

export async function checkLogin2fa(ctx: BenchContext): Promise<string[]> {
  const problems: string[] = [];
  const seen = answers.auth_login_2fa;
  const all = indices(seen);
  const challenged = indices(seen, (v) => is2xx(v.login));
  const verified = indices(seen, (v) => is2xx(v.verify));
  const sent = await settle(ctx, () => auditRows(ctx, "auth_login_2fa", "factor.sent").then((m) => [...m]));
  record("auth_login_2fa", account(new Map(sent), challenged, all), problems, "factor.sent audit rows", slack("auth_login_2fa"));
  record("auth_login_2fa", account(await auditRows(ctx, "auth_login_2fa", "factor.verified"), verified, all), problems, "factor.verified audit rows", slack("auth_login_2fa"));
  record("auth_login_2fa", account(await auditRows(ctx, "auth_login_2fa", "login.success"), verified, all), problems, "login.success audit rows", slack("auth_login_2fa"));
  const sessions = await sessionRows(ctx, "auth_login_2fa", [...seen.values()].map((v) => v.user));
  record("auth_login_2fa", account(sessions.rows, verified, all), problems, "sessions", slack("auth_login_2fa"));
  const wrong = [...sessions.factors.values()].filter((f) => f.join(",") !== "password,totp").length;
  if (wrong > 0) problems.push(`auth_login_2fa: ${wrong} sessions without factors [password, totp]`);
  const tokens = [...seen.values()].map((v) => v.token).filter((t): t is string => t !== undefined);
  if (new Set(tokens).size !== tokens.length) problems.push(`auth_login_2fa: session tokens handed out twice`);
  const failed = await auditRows(ctx, "auth_login_2fa", "factor.failed");
  if (failed.size > 0) problems.push(`auth_login_2fa: ${failed.size} factor.failed rows (every code was right)`);
  return problems;
}

export async function checkService(ctx: BenchContext, label: "api_key_verify" | "user_resolve", action: string): Promise<string[]> {
  const problems: string[] = [];
  const seen = answers[label];
  const rows = await settle(ctx, () => auditRows(ctx, label, action).then((m) => [...m]));
  // Every answer, 2xx or not, writes its audit row on these routes.
  record(label, account(new Map(rows), indices(seen), indices(seen)), problems, `${action} audit rows`, slack(label));
  return problems;
}

/** Provider deliveries of reset mails to this scenario's addresses, per recipient (as the SQL rows). */
function providerCounts(ctx: BenchContext): { email: string; n: number }[] {
  const byRecipient = new Map<string, number>();
  for (const d of ctx.mail.deliveries) {
    const to = d.to.toLowerCase();
    if (to.startsWith("mixrs")) byRecipient.set(to, (byRecipient.get(to) ?? 0) + 1);
  }
  return [...byRecipient].map(([email, n]) => ({ email, n }));
}

export async function checkReset(ctx: BenchContext): Promise<string[]> {
  const problems: string[] = [];
  const seen = answers.password_reset_request;
  const all = indices(seen);
  const ok = indices(seen, (v) => is2xx(v.status));
  const audit = await settle(ctx, () => auditRows(ctx, "password_reset_request", "password_reset.requested").then((m) => [...m]));
  record("password_reset_request", account(new Map(audit), ok, all), problems, "password_reset.requested audit rows", slack("password_reset_request"));
  // Mails: one per answered request for an existing account, none for unknown addresses. They go
  // through the queue after the answer, so wait until the queue has drained (counts stop moving).
  const expected = new Map<string, number>();
  for (const v of seen.values()) if (v.known && is2xx(v.status)) expected.set(v.email, (expected.get(v.email) ?? 0) + 1);
  const read = async () => ({
    log: await ctx.sql<{ email: string; status: string; n: number }>(
      "SELECT recipient AS email, status, count(*) AS n FROM mail_log WHERE site_key = ? AND template = 'password_reset' GROUP BY recipient, status",
      RESET_SITE,
    ),
    // What the (fake) provider accepted: one delivery per mail, counted by recipient.
    provider: providerCounts(ctx),
  });
  // The local queue consumer delivers fewer mails per second than this load requests, so a backlog
  // builds during the run; wait for it to drain (every expected mail sent, or nothing moved for 30 s).
  const want = [...expected.values()].reduce((a, b) => a + b, 0);
  const drainStarted = Date.now();
  let mails = await read();
  let lastKey = "";
  let lastMove = Date.now();
  for (;;) {
    const sent = mails.log.filter((r) => r.status === "sent").reduce((s, r) => s + Number(r.n), 0);
    if (sent >= want && mails.log.every((r) => r.status === "sent")) break;
    const key = JSON.stringify(mails);
    if (key !== lastKey) {
      lastKey = key;
      lastMove = Date.now();
    } else if (Date.now() - lastMove > 30_000 || Date.now() - drainStarted > 900_000) break;
    await new Promise((r) => setTimeout(r, 2000));
    mails = await read();
  }
  figures.push(`password_reset_request mail queue drained ${((Date.now() - drainStarted) / 1000).toFixed(0)} s after the load`);
  const notSent = mails.log.filter((r) => r.status !== "sent").reduce((s, r) => s + Number(r.n), 0);
  if (notSent > 0) problems.push(`password_reset_request: ${notSent} mail_log rows not sent (${JSON.stringify(mails.log.filter((r) => r.status !== "sent").slice(0, 3))})`);
  for (const [name, rows] of [
    ["mail_log rows", mails.log],
    ["provider deliveries", mails.provider],
  ] as const) {
    const got = new Map<string, number>();
    for (const r of rows) got.set(r.email, (got.get(r.email) ?? 0) + Number(r.n));
    let lost = 0;
    let extra = 0;
    for (const [email, n] of expected) lost += Math.max(0, n - (got.get(email) ?? 0));
    for (const [email, n] of got) extra += Math.max(0, n - (expected.get(email) ?? 0));
    const want = [...expected.values()].reduce((a, b) => a + b, 0);
    const have = [...got.values()].reduce((a, b) => a + b, 0);
    figures.push(`password_reset_request ${name} ${have - extra}/${want}${extra ? ` (+${extra} of requests in flight at the stop or duplicated)` : ""}`);
    if (lost > 0) problems.push(`password_reset_request: ${lost} of ${want} reset mails missing from ${name}`);
    if (extra > slack("password_reset_request")) problems.push(`password_reset_request: ${extra} ${name} beyond the answered requests`);
  }
  const keys = new Map<string, number>();
  for (const d of ctx.mail.deliveries) if (d.to.toLowerCase().startsWith("mixrs")) keys.set(d.key, (keys.get(d.key) ?? 0) + 1);
  const sentTwice = [...keys.values()].filter((n) => n > 1).length;
  if (sentTwice > 0) problems.push(`password_reset_request: ${sentTwice} mails accepted by the provider more than once`);
  const unknownMailed = mails.log.filter((r) => r.email.startsWith("mixrs-unknown")).length;
  if (unknownMailed > 0) problems.push(`password_reset_request: ${unknownMailed} mails to addresses without an account`);
  return problems;
}

export async function checkApiKeys(ctx: BenchContext): Promise<string[]> {
  const problems: string[] = [];
  const seen = answers.api_keys;
  const all = indices(seen);
  const created = indices(seen, (v) => is2xx(v.create));
  const revoked = indices(seen, (v) => is2xx(v.revoke));
  const prefix = "mixed/api_keys";
  const read = () => ctx.sql<{ tag: string; n: number; revoked: number }>("SELECT name AS tag, count(*) AS n, count(revoked_at) AS revoked FROM user_api_keys WHERE name LIKE ? GROUP BY name", `${prefix}/%`);
  const rows = await settle(ctx, read);
  record("api_keys", account(countByIndex(prefix, rows), created, all), problems, "key rows", slack("api_keys"));
  const revokedRows = countByIndex(prefix, rows.filter((r) => Number(r.revoked) > 0).map((r) => ({ tag: r.tag, n: r.revoked })));
  record("api_keys", account(revokedRows, revoked, all), problems, "revoked key rows", slack("api_keys"));
  record("api_keys", account(await auditRows(ctx, "api_keys", "api_key.create"), created, all), problems, "api_key.create audit rows", slack("api_keys"));
  record("api_keys", account(await auditRows(ctx, "api_keys", "api_key.revoke"), revoked, all), problems, "api_key.revoke audit rows", slack("api_keys"));
  return problems;
}

