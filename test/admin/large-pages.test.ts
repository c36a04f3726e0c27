import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { call, json } from "../helpers";
import { asAdmin } from "./fixtures";

// Pages on large tables (200 000 audit rows, 50 000 users, generated in SQL) are right: every filter,
// deep cursor and search answers the rows it should. Speed is not timed here (timed unit tests are
// flaky on a shared machine): the query plans are pinned in audit.test.ts and user-search.test.ts, and
// `npm run bench -- admin-lists` measures the pages at 100 000 users / 1 000 000 audit rows.
const AUDIT_ROWS = 200_000;
const USERS = 50_000;
const T0 = Date.parse("2025-01-01T00:00:00Z");

let headers: Record<string, string>;
beforeAll(async () => {
  headers = (await asAdmin()).headers;
  await env.DB.prepare(
    `WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ${AUDIT_ROWS})
     INSERT INTO audit_log (at, actor_type, actor_id, action, target_type, target_id, site_key, outcome, details)
     SELECT ${T0} + x * 1000, 'admin', 'adm_' || (x % 50), 'bulk.' || (x % 20), 'user', 'u' || (x % 5000), 's' || (x % 10),
            CASE WHEN x % 97 = 0 THEN 'failure' ELSE 'success' END, '{}' FROM n`,
  ).run();
  await env.DB.prepare(
    `WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ${USERS})
     INSERT INTO users (id, email, name, status, email_verified, source, created_at, updated_at)
     SELECT printf('bulk-%06d', x), printf('bulk%06d@bulk.test', x), 'Bulk ' || x,
            CASE WHEN x % 10 = 0 THEN 'disabled' WHEN x % 3 = 0 THEN 'pending' ELSE 'active' END, 1, 'seed', ${T0} + (x / 2) * 1000, ${T0} FROM n`,
  ).run();
}, 120_000);

/** One page over HTTP; must answer 200. */
async function page(path: string) {
  const res = await call(path, { headers });
  const body = await json(res);
  expect(res.status, JSON.stringify(body)).toBe(200);
  return { body };
}

describe("large tables", () => {
  it("audit_list answers every filter, deep cursors and old time ranges", async () => {
    const mid = new Date(T0 + 50_000_000).toISOString();
    const old = new Date(T0 + 20_000_000).toISOString();
    for (const q of [
      "",
      "actor=adm_7",
      "action=bulk.3",
      "target=u42",
      "site_key=s4",
      "outcome=failure",
      `since=${old}&until=${mid}`,
      `until=${old}`,
      "action=bulk.3&outcome=failure",
      "cursor=1000",
      "actor=adm_7&cursor=5000",
    ]) {
      const { body } = await page(`/api/admin/audit_list?limit=100&${q}`);
      expect(body.items.length, q).toBeGreaterThan(0);
    }
  });

  it("user_list answers with and without a status filter and search, also deep in the list", async () => {
    const first = await page("/api/admin/user_list?limit=100");
    let cursor = first.body.next_cursor as string;
    for (const q of ["status=pending", "status=disabled", `cursor=${cursor}`, `status=active&cursor=${cursor}`]) {
      const { body } = await page(`/api/admin/user_list?limit=100&${q}`);
      expect(body.items.length, q).toBe(100);
    }
    // q: a prefix matching nothing, a few (via the search indexes), and every user (walks the date index).
    for (const [q, count] of [["zz-nobody", 0], ["bulk01234", 10], ["Bulk 4999", 11], ["bulk", 100]] as const) {
      const { body } = await page(`/api/admin/user_list?limit=100&q=${encodeURIComponent(q)}`);
      expect(body.items.length, q).toBe(count);
    }
    // Walk 20 pages: full pages, no user twice.
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const { body } = await page(`/api/admin/user_list?limit=100&cursor=${cursor}`);
      expect(body.items).toHaveLength(100);
      for (const u of body.items) {
        expect(seen.has(u.auth_user_id)).toBe(false);
        seen.add(u.auth_user_id);
      }
      cursor = body.next_cursor;
    }
  });
});
