import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { SEARCH_PROBE_CAP, listUserPage, userPageSql } from "../../src/store/user-search";
import { call, db, json } from "../helpers";
import { seedUser } from "../sessions/fixtures";
import { asAdmin } from "./fixtures";

// user_list `q` is a prefix search (email, name, surname; email domain for a term starting with "@") served by indexes, so a term that matches
// nothing does not walk every user; when very many users match it walks the date index instead.

async function list(headers: Record<string, string>, query: Record<string, string>) {
  const res = await call(`/api/admin/user_list?${new URLSearchParams(query)}`, { headers });
  expect(res.status).toBe(200);
  return json<{ items: { auth_user_id: string; email: string }[]; next_cursor: string | null }>(res);
}

async function pageAll(headers: Record<string, string>, query: Record<string, string>) {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await list(headers, { ...query, ...(cursor ? { cursor } : {}) });
    ids.push(...page.items.map((u) => u.auth_user_id));
    cursor = page.next_cursor;
  } while (cursor);
  return ids;
}

async function plan(sqlText: { sql: string; params: unknown[] }) {
  const rows = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sqlText.sql}`).bind(...sqlText.params).all<{ detail: string }>();
  return rows.results.map((r) => r.detail).join(" | ");
}

describe("admin/user_list q and cursors", () => {
  it("matches a prefix of the email, the name or the surname, case-insensitively; not the middle of a word", async () => {
    const { headers } = await asAdmin();
    const grace = await seedUser({ email: "grace.hopper@navy.example", name: "Grace Hopper", createdAt: 3000 });
    const ada = await seedUser({ email: "ada@analytical.example", name: "Ada King Lovelace", createdAt: 2000 });
    await seedUser({ email: "someone@elsewhere.example", name: "Someone Else", createdAt: 1000 });
    const emails = async (q: string) => (await list(headers, { q })).items.map((u) => u.email);
    expect(await emails("GRACE.H")).toEqual([grace.email]); // email prefix, any case
    expect(await emails("grace h")).toEqual([grace.email]); // name prefix
    expect(await emails("hOpPeR")).toEqual([grace.email]); // surname prefix
    expect(await emails("King Love")).toEqual([ada.email]); // the name after its first space
    expect(await emails("a")).toEqual([ada.email]);
    expect(await emails("  ada  ")).toEqual([ada.email]); // trimmed
    for (const none of ["opper", "navy.example", "analytical", "Lovelace", "zz"]) expect(await emails(none), none).toEqual([]);
  });

  it("a term starting with @ matches the start of the email's domain", async () => {
    const { headers } = await asAdmin();
    const a = await seedUser({ email: "ann@domainsearch.example", name: "Ann", createdAt: 3000 });
    const b = await seedUser({ email: "bob@domainsearch.example", name: "Bob", createdAt: 2000 });
    const c = await seedUser({ email: "cy@domainsearch-other.example", name: "Cy", createdAt: 1000 });
    await seedUser({ email: "domainsearch@else.example", name: "@domainsearch fan", createdAt: 500 });
    const emails = async (q: string) => (await list(headers, { q })).items.map((u) => u.email);
    expect(await emails("@domainsearch.example")).toEqual([a.email, b.email]);
    // The domain part (a, b, c) or, as for any term, the name ("@domainsearch fan"); any case.
    expect(await emails("@DomainSearch")).toEqual([a.email, b.email, c.email, "domainsearch@else.example"]);
    expect(await emails("@domainsearch-o")).toEqual([c.email]);
    expect(await emails("@domainsearch.examplex")).toEqual([]);
    // Without the "@" a domain is not a prefix of anything.
    expect(await emails("domainsearch.example")).toEqual([]);
  });

  it("pages the same rows in the same order whether the search uses its indexes or walks the date index", async () => {
    const { headers } = await asAdmin();
    const dense = SEARCH_PROBE_CAP + 150;
    // Many users whose names start with "Dense", some disabled, with created_at ties; a few "dens…" emails among others.
    await env.DB.prepare(
      `WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ${dense})
       INSERT INTO users (id, email, name, status, email_verified, source, created_at, updated_at)
       SELECT printf('dn-%05d', x), printf('member%05d@dense.test', x), 'Dense Member ' || x, CASE WHEN x % 7 = 0 THEN 'disabled' ELSE 'active' END, 1, 'seed', 1000 + x / 3, 1000 FROM n`,
    ).run();
    for (let i = 0; i < 5; i++) await seedUser({ id: `dx-${i}`, email: `denser${i}@x.test`, name: "Xavier", createdAt: 1200 + i * 10 });

    const walk = await pageAll(headers, { q: "dense", limit: "100" });
    const all = (await env.DB.prepare("SELECT id FROM users WHERE name LIKE 'dense%' OR email LIKE 'dense%' ORDER BY created_at DESC, id DESC").all<{ id: string }>()).results.map((r) => r.id);
    expect(all.length).toBe(dense + 5);
    expect(walk).toEqual(all);
    const disabled = await pageAll(headers, { q: "Dense", status: "disabled", limit: "37" });
    expect(disabled).toEqual(all.filter((id) => id.startsWith("dn-") && Number(id.slice(3)) % 7 === 0));

    // Few matches: the index plan, same order and cursor behaviour.
    const few = await pageAll(headers, { q: "denser", limit: "2" });
    expect(few).toEqual(["dx-4", "dx-3", "dx-2", "dx-1", "dx-0"]);
    // Both plans give the same page for the same query.
    for (const [q, after] of [
      ["dense member 1", null],
      ["dense member 1", { createdAt: 1300, id: "dn-00900" }],
      ["@dense.t", { createdAt: 1300, id: "dn-00900" }],
    ] as const) {
      const query = { q, status: null, after, limit: 60 };
      const rows = async (planName: "indexes" | "walk") => {
        const { sql, params } = userPageSql(db(), query, planName);
        return (await env.DB.prepare(sql).bind(...params).all<{ id: string }>()).results.map((r) => r.id);
      };
      const viaIndexes = await rows("indexes");
      expect(viaIndexes.length).toBe(60);
      expect(await rows("walk")).toEqual(viaIndexes);
      expect((await listUserPage(db(), query)).map((r) => r.id)).toEqual(viaIndexes);
    }
  });

  it("with few matches reads the prefix indexes (no walk of the date or status index); with many, walks the date index", async () => {
    const sparse = await plan(userPageSql(db(), { q: "grace", status: "active", after: { createdAt: 5, id: "x" }, limit: 51 }, "indexes"));
    expect(sparse).toContain("USING INTEGER PRIMARY KEY");
    for (const index of ["users_email_unique", "users_name_nocase_idx", "users_surname_nocase_idx"]) expect(sparse).toContain(index);
    expect(sparse).not.toMatch(/users_created_idx|users_status_created_idx|users_email_domain_idx|SCAN users/);
    const domain = await plan(userPageSql(db(), { q: "@navy", status: null, after: null, limit: 51 }, "indexes"));
    for (const index of ["users_email_unique", "users_name_nocase_idx", "users_surname_nocase_idx", "users_email_domain_idx"]) expect(domain).toContain(index);
    expect(domain).not.toMatch(/SCAN users/);
    const dense = await plan(userPageSql(db(), { q: "grace", status: null, after: null, limit: 51 }, "walk"));
    expect(dense).toContain("users_created_idx");
    expect(dense).not.toMatch(/TEMP B-TREE/);
    const denseStatus = await plan(userPageSql(db(), { q: "grace", status: "active", after: null, limit: 51 }, "walk"));
    expect(denseStatus).toContain("users_status_created_idx");
  });

  it("a page after a cursor starts at the cursor in the date index (a range), not at the newest user", async () => {
    const after = { createdAt: 5000, id: "x" };
    expect(await plan(userPageSql(db(), { q: null, status: null, after, limit: 51 }, null))).toContain("USING INDEX users_created_idx (created_at<?)");
    expect(await plan(userPageSql(db(), { q: null, status: "active", after, limit: 51 }, null))).toContain("USING INDEX users_status_created_idx (status=? AND created_at<?)");
    expect(await plan(userPageSql(db(), { q: "grace", status: null, after, limit: 51 }, "walk"))).toContain("USING INDEX users_created_idx (created_at<?)");
  });
});
