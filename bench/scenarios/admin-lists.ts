import { AUDIT_ROWS, AUDIT_STEP_MS, AUDIT_STRIDE, USERS, USER_STEP_MS, USER_STRIDE, seedAudit, seedUsers } from "../lib/admin-lists-data";
import type { BenchContext, RouteSpec, Scenario } from "../lib/types";

// Issue 6: admin/user_list and admin/audit_list page latency with 100 000 users and 1 000 000 audit
// rows stays within 2× of the same page with 1 000 rows. Each page is measured one request at a time
// at 1k (floor: "d1"), then the tables grow and the same page is measured again against its 1k figure.
//
// The small tables are a regular subset of the large ones (bench/lib/admin-lists-data.ts): setup
// inserts every 100th user / every 1 000th audit row, prepare inserts the rest. So both sizes cover
// the same months, actors, names and domains, the 1k pages filter on the same values, and audit ids
// follow `at` the way the one writer (autoincrement id, at = Date.now()) makes them — which
// audit_list's since/until → id-range mapping relies on.

const SAMPLES = 60;
const ADMIN_EMAIL = "lists-admin@bench.test";
const ADMIN_PASSWORD = "bench-Lists-Admin-2026!";

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
  // A term starting with "@" also matches the email's domain part (users_email_domain_idx): a quarter of all users.
  {
    key: "user_q_domain",
    list: "user",
    query: () => `q=${encodeURIComponent("@corp.example")}`,
    verify: (p) => [...count(p, 50), ...newestFirst(p, "created_at"), ...every(p, "q=@corp.example", (u) => (u.email as string).endsWith("@corp.example"))],
  },
  { key: "user_q_domain_none", list: "user", query: () => `q=${encodeURIComponent("@nowhere.example")}`, verify: (p) => count(p, 0) },
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
  await seedUsers(ctx, "rest", s);
  const t1 = performance.now();
  await seedAudit(ctx, "rest", s);
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

    await seedUsers(ctx, "small", s);
    await seedAudit(ctx, "small", s);

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
