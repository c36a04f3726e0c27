import type { BenchContext, RouteSpec, Scenario } from "../lib/types";

// Issue 6: admin/user_list and admin/audit_list page latency with 100 000 users and 1 000 000 audit
// rows stays within 2× of the same page with 1 000 rows. Each page is measured one request at a time
// at 1k (floor: "d1"), then the tables grow and the same page is measured again against its 1k figure.
//
// The small tables are a regular subset of the large ones: user n (1…100 000) and audit row n
// (1…1 000 000) are generated from n alone, setup inserts every 100th user / every 1 000th audit row,
// prepare inserts the rest. So both sizes cover the same months, actors and names, the 1k pages
// filter on the same values, and audit ids follow `at` the way the one writer (autoincrement id,
// at = Date.now()) makes them — which audit_list's since/until → id-range mapping relies on.

const USERS = 100_000;
const USER_STRIDE = 100; // setup: users n ≡ 0 (mod 100)
const AUDIT_ROWS = 1_000_000;
const AUDIT_STRIDE = 1_000; // setup: audit rows n ≡ 0 (mod 1 000)
const USER_STEP_MS = 15 * 60_000; // 100 000 users over ~2.9 years
const AUDIT_STEP_MS = 15_000; // 1 000 000 audit rows over ~174 days
const SAMPLES = 60;
const ADMIN_EMAIL = "lists-admin@bench.test";
const ADMIN_PASSWORD = "bench-Lists-Admin-2026!";

const FIRST = ["Ada", "Alan", "Barbara", "Claude", "Dana", "Edsger", "Frances", "Grace", "Hedy", "Ivan", "John", "Joan", "Ken", "Linus", "Margaret", "Niklaus", "Olga", "Radia", "Sophie", "Tim"];
const LAST = ["Lovelace", "Turing", "Liskov", "Shannon", "Scott", "Dijkstra", "Allen", "Hopper", "Lamarr", "Sutherland", "Backus", "Clarke", "Thompson", "Torvalds", "Hamilton", "Wirth", "Taussky", "Perlman", "Wilson", "Berners-Lee"];
const DOMAINS = ["example.com", "example.org", "corp.example", "mail.example.net"];
const SITES = ["al-portal", "al-shop", "al-wiki", "al-hr", "al-crm", "al-support", "al-docs", "al-status"];

/** 16 well-mixed bits of n (multiplicative hashing; high bits, so multiples of 100 or 1 000 mix too). */
const mix = (mult: number, expr = "n") => `((((${expr}) * ${mult}) % 4294967296) / 65536)`;
const sqlStr = (s: string) => `'${s.replace(/'/g, "''")}'`;
const pick = (list: string[], index: string) => `CASE (${index}) % ${list.length} ${list.map((v, i) => `WHEN ${i} THEN ${sqlStr(v)}`).join(" ")} END`;

interface Seeded {
  userT0: number;
  auditT0: number;
  auditBase: number;
  headers: Record<string, string>;
  fewQuery: string;
  fewUserId: string;
  hotActor: string;
  hotTarget: string;
  rangeSince: string;
  rangeUntil: string;
  otherUsers: number;
  otherAudit: number;
}
const s: Seeded = {
  userT0: 0,
  auditT0: 0,
  auditBase: 0,
  headers: {},
  fewQuery: "",
  fewUserId: "",
  hotActor: "adm_al_2",
  hotTarget: "",
  rangeSince: "",
  rangeUntil: "",
  otherUsers: 0,
  otherAudit: 0,
};

/** Users n = f(m) for m = 1…count: the user columns as SQL of `n`. */
function userColumns(n: string, hash: string): Record<string, string> {
  const first = pick(FIRST, mix(2654435761, n));
  const last = pick(LAST, mix(2246822519, n));
  const status = `CASE WHEN ${mix(3266489917, n)} % 100 < 85 THEN 'active' WHEN ${mix(3266489917, n)} % 100 < 95 THEN 'pending' ELSE 'disabled' END`;
  const created = `${s.userT0} + (${n}) * ${USER_STEP_MS}`;
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
function auditColumns(n: string): Record<string, string> {
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
    id: `${s.auditBase} + (${n})`,
    at: `${s.auditT0} + (${n}) * ${AUDIT_STEP_MS}`,
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
async function seedUsers(ctx: BenchContext, subset: "small" | "rest"): Promise<void> {
  const hash = await ctx.hashPassword(ctx.password);
  const stride = USER_STRIDE;
  // m = 1, 2, … → n = m × stride (small) or the m-th n that is not a multiple of stride (rest).
  const n = subset === "small" ? `(n * ${stride})` : `(n + (n - 1) / ${stride - 1})`;
  await ctx.bulkInsert("users", subset === "small" ? USERS / stride : USERS - USERS / stride, userColumns(n, hash));
}

async function seedAudit(ctx: BenchContext, subset: "small" | "rest"): Promise<void> {
  const stride = AUDIT_STRIDE;
  const n = subset === "small" ? `(n * ${stride})` : `(n + (n - 1) / ${stride - 1})`;
  await ctx.bulkInsert("audit_log", subset === "small" ? AUDIT_ROWS / stride : AUDIT_ROWS - AUDIT_ROWS / stride, auditColumns(n));
}

/** user_list's cursor (base64url of "created_at.id"), as src/services/user-registry.ts encodes it. */
function userCursor(n: number): string {
  return Buffer.from(`${s.userT0 + n * USER_STEP_MS}.usr_al_${n}`).toString("base64url");
}

interface Page {
  items: Record<string, unknown>[];
  next_cursor: string | null;
}

async function getPage(ctx: BenchContext, path: string): Promise<Page> {
  const res = await ctx.call(path, { headers: s.headers });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as Page;
}

interface Case {
  key: string;
  list: "user" | "audit";
  query: () => string;
  /** Problems with the large table's page. */
  verify: (page: Page) => string[];
}

const newestFirst = (page: Page, field: "created_at" | "id"): string[] => {
  for (let i = 1; i < page.items.length; i++) {
    const a = page.items[i - 1]![field] as string | number;
    const b = page.items[i]![field] as string | number;
    if (a < b) return [`not newest first at item ${i}: ${String(a)} < ${String(b)}`];
  }
  return [];
};
const count = (page: Page, expected: number) => (page.items.length === expected ? [] : [`${page.items.length} items, expected ${expected}`]);
const every = (page: Page, what: string, ok: (item: Record<string, unknown>) => boolean) =>
  page.items.every(ok) ? [] : [`an item does not match ${what}`];

const CASES: Case[] = [
  { key: "user_first", list: "user", query: () => "", verify: (p) => [...count(p, 50), ...newestFirst(p, "created_at"), ...(p.items[0]?.auth_user_id === `usr_al_${USERS}` ? [] : [`first item ${String(p.items[0]?.auth_user_id)}`])] },
  { key: "user_first_100", list: "user", query: () => "limit=100", verify: (p) => [...count(p, 100), ...newestFirst(p, "created_at")] },
  {
    key: "user_deep",
    list: "user",
    query: () => `cursor=${userCursor(USERS / 2)}`,
    verify: (p) => [...count(p, 50), ...newestFirst(p, "created_at"), ...(p.items[0]?.auth_user_id === `usr_al_${USERS / 2 - 1}` ? [] : [`deep page starts at ${String(p.items[0]?.auth_user_id)}`])],
  },
  { key: "user_status", list: "user", query: () => "status=disabled", verify: (p) => [...count(p, 50), ...newestFirst(p, "created_at"), ...every(p, "status=disabled", (u) => u.status === "disabled")] },
  { key: "user_q_few", list: "user", query: () => `q=${encodeURIComponent(s.fewQuery)}`, verify: (p) => (p.items.length === 1 && p.items[0]!.auth_user_id === s.fewUserId ? [] : [`q=${s.fewQuery}: ${p.items.length} items`]) },
  {
    key: "user_q_common",
    list: "user",
    query: () => "q=Grace",
    verify: (p) => [...count(p, 50), ...newestFirst(p, "created_at"), ...every(p, "q=Grace", (u) => /^grace/i.test(u.email as string) || /^grace/i.test(u.name as string) || /^\S+ grace/i.test(u.name as string))],
  },
  { key: "user_q_none", list: "user", query: () => "q=zz-nobody", verify: (p) => count(p, 0) },
  { key: "audit_first", list: "audit", query: () => "", verify: (p) => [...count(p, 50), ...newestFirst(p, "id")] },
  { key: "audit_actor", list: "audit", query: () => `actor=${s.hotActor}`, verify: (p) => [...count(p, 50), ...newestFirst(p, "id"), ...every(p, "actor", (r) => r.actor_id === s.hotActor)] },
  { key: "audit_action", list: "audit", query: () => "action=login.failure", verify: (p) => [...count(p, 50), ...newestFirst(p, "id"), ...every(p, "action", (r) => r.action === "login.failure")] },
  { key: "audit_target", list: "audit", query: () => `target=${s.hotTarget}`, verify: (p) => [...(p.items.length > 0 ? [] : ["no rows for the target"]), ...newestFirst(p, "id"), ...every(p, "target", (r) => r.target_id === s.hotTarget)] },
  { key: "audit_site", list: "audit", query: () => "site_key=al-hr", verify: (p) => [...count(p, 50), ...newestFirst(p, "id"), ...every(p, "site_key", (r) => r.site_key === "al-hr")] },
  { key: "audit_outcome", list: "audit", query: () => "outcome=failure", verify: (p) => [...count(p, 50), ...newestFirst(p, "id"), ...every(p, "outcome", (r) => r.outcome === "failure")] },
  {
    key: "audit_range",
    list: "audit",
    query: () => `since=${s.rangeSince}&until=${s.rangeUntil}`,
    verify: (p) => [
      ...count(p, 50),
      ...newestFirst(p, "id"),
      ...every(p, "since/until", (r) => (r.at as string) >= s.rangeSince && (r.at as string) < s.rangeUntil),
      // Newest first inside the range: the first row is the last one before `until`.
      ...(Date.parse(s.rangeUntil) - Date.parse(p.items[0]?.at as string) <= AUDIT_STEP_MS ? [] : [`range page starts at ${String(p.items[0]?.at)}`]),
    ],
  },
  {
    key: "audit_deep",
    list: "audit",
    query: () => `cursor=${s.auditBase + AUDIT_ROWS / 2}`,
    verify: (p) => [...count(p, 50), ...newestFirst(p, "id"), ...(p.items[0]?.id === s.auditBase + AUDIT_ROWS / 2 - 1 ? [] : [`deep page starts at id ${String(p.items[0]?.id)}`])],
  },
];

const path = (c: Case) => {
  const q = c.query();
  return `/api/admin/${c.list}_list${q ? `?${q}` : ""}`;
};

async function growTables(ctx: BenchContext): Promise<void> {
  const t0 = performance.now();
  await seedUsers(ctx, "rest");
  const t1 = performance.now();
  await seedAudit(ctx, "rest");
  const t2 = performance.now();
  const [u] = await ctx.sql<{ n: number }>("SELECT count(*) AS n FROM users");
  const [a] = await ctx.sql<{ n: number }>("SELECT count(*) AS n FROM audit_log");
  ctx.log(`seeded ${USERS - USERS / USER_STRIDE} users in ${((t1 - t0) / 1000).toFixed(1)} s and ${AUDIT_ROWS - AUDIT_ROWS / AUDIT_STRIDE} audit rows in ${((t2 - t1) / 1000).toFixed(1)} s`);
  ctx.log(`large tables: ${u?.n} users, ${a?.n} audit rows (of which ${s.otherUsers} / ${s.otherAudit} from other scenarios)`);
}

function smallRoute(c: Case): RouteSpec {
  return { label: `${c.key}_1k`, mode: "sequential", samples: SAMPLES, warmupSamples: 5, request: () => ({ path: path(c), headers: s.headers }), floor: "d1" };
}

function largeRoute(c: Case, first: boolean): RouteSpec {
  return {
    label: `${c.key}_${c.list === "user" ? "100k" : "1m"}`,
    mode: "sequential",
    samples: SAMPLES,
    warmupSamples: 5,
    request: () => ({ path: path(c), headers: s.headers }),
    floor: `${c.key}_1k`,
    targets: { maxRatioP50: 2 },
    ...(first && { prepare: growTables }),
    async check(ctx) {
      return c.verify(await getPage(ctx, path(c)));
    },
  };
}

const scenario: Scenario = {
  name: "admin-lists",
  description: "admin user_list / audit_list pages (sequential): 1k users / 1k audit rows vs 100k / 1M, same page ≤ 2× p50",
  order: 60,
  async setup(ctx) {
    const now = Date.now();
    s.userT0 = now - 1_000 - USERS * USER_STEP_MS;
    s.auditT0 = now - 60_000 - AUDIT_ROWS * AUDIT_STEP_MS;
    const [other] = await ctx.sql<{ users: number; audit: number; maxId: number | null }>(
      "SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM audit_log) AS audit, (SELECT max(id) FROM audit_log) AS maxId",
    );
    s.otherUsers = other?.users ?? 0;
    s.otherAudit = other?.audit ?? 0;
    // Ids above every row written so far (other scenarios share the database); the writer's next
    // autoincrement id then continues after row 1 000 000.
    s.auditBase = Math.ceil(((other?.maxId ?? 0) + 1) / 1000) * 1000;

    // The admin: a row like `npm run admin:create` writes, then one real login for a Bearer token.
    const hash = await ctx.hashPassword(ADMIN_PASSWORD);
    await ctx.sql(
      "INSERT INTO admins (id, email, name, password_hash, password_changed_at, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'active', ?, ?)",
      "adm_al_bench",
      ADMIN_EMAIL,
      "Bench lists admin",
      hash,
      now,
      now,
      now,
    );
    const login = await ctx.call("/api/admin/login", { json: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
    const body = (await login.json()) as { session?: { token?: string } };
    if (login.status !== 200 || !body.session?.token) throw new Error(`admin-lists setup: admin/login ${login.status} ${JSON.stringify(body)}`);
    s.headers = { authorization: `Bearer ${body.session.token}` };

    await seedUsers(ctx, "small");
    await seedAudit(ctx, "small");

    // A user of the small set whose full email local part matches only them (at both sizes).
    const fewN = USERS / 2 + USER_STRIDE * 7;
    const [few] = await ctx.sql<{ email: string }>("SELECT email FROM users WHERE id = ?", `usr_al_${fewN}`);
    s.fewUserId = `usr_al_${fewN}`;
    s.fewQuery = few!.email.split("@")[0]!;
    // The target with the most rows in the small set (a user a few events are about).
    const [target] = await ctx.sql<{ t: string }>(
      "SELECT target_id AS t FROM audit_log WHERE id > ? AND target_type = 'user' GROUP BY target_id ORDER BY count(*) DESC, target_id LIMIT 1",
      s.auditBase,
    );
    s.hotTarget = target!.t;
    // Two weeks in the middle of the audit months.
    const mid = s.auditT0 + (AUDIT_ROWS / 2) * AUDIT_STEP_MS;
    s.rangeSince = new Date(mid - 7 * 86_400_000).toISOString();
    s.rangeUntil = new Date(mid + 7 * 86_400_000).toISOString();

    const [u] = await ctx.sql<{ n: number }>("SELECT count(*) AS n FROM users");
    const [a] = await ctx.sql<{ n: number }>("SELECT count(*) AS n FROM audit_log");
    ctx.log(`small tables: ${u?.n} users, ${a?.n} audit rows (of which ${s.otherUsers} / ${s.otherAudit} from other scenarios)`);

    // Every page answers, and the user cursor chain matches the cursor the deep pages use.
    for (const c of CASES) await getPage(ctx, path(c));
    let cursor: string | null = null;
    let seen = 0;
    for (let i = 0; i < 3; i++) {
      const page: Page = await getPage(ctx, `/api/admin/user_list?limit=100${cursor ? `&cursor=${cursor}` : ""}`);
      seen += page.items.length;
      cursor = page.next_cursor;
    }
    const last = await getPage(ctx, `/api/admin/user_list?limit=1&cursor=${cursor}`);
    ctx.log(`user cursor chain: 3 pages (${seen} users), next page starts at ${String(last.items[0]?.auth_user_id)}`);
  },
  routes: [...CASES.map(smallRoute), ...CASES.map((c, i) => largeRoute(c, i === 0))],
  summary(results) {
    const lines = [
      `admin lists: 1k = ${s.otherUsers + USERS / USER_STRIDE} users / ${s.otherAudit + AUDIT_ROWS / AUDIT_STRIDE} audit rows, large = ${s.otherUsers + USERS} / ${s.otherAudit + AUDIT_ROWS} (other scenarios' rows: ${s.otherUsers} users, ${s.otherAudit} audit rows)`,
    ];
    const fmt = (x: number | null | undefined, d = 2) => (x === null || x === undefined ? "–" : x.toFixed(d));
    for (const c of CASES) {
      const big = results.get(`admin-lists/${c.key}_${c.list === "user" ? "100k" : "1m"}`);
      const small = results.get(`admin-lists/${c.key}_1k`);
      if (!big || !small) continue;
      lines.push(
        `${c.key}: p50 ${fmt(small.stats.latency.p50)} → ${fmt(big.stats.latency.p50)} ms (${fmt(big.ratios.p50)}×), p99 ${fmt(small.stats.latency.p99)} → ${fmt(big.stats.latency.p99)} ms (${fmt(big.ratios.p99)}×), ` +
          `CPU ${fmt(small.stats.cpuMsPerRequest)} → ${fmt(big.stats.cpuMsPerRequest)} ms (${fmt(big.ratios.cpu)}×)`,
      );
    }
    return lines;
  },
};

export default scenario;
