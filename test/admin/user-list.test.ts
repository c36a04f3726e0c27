import { describe, expect, it } from "vitest";
import { call, json } from "../helpers";
import { seedUser } from "../sessions/fixtures";
import { asAdmin } from "./fixtures";

async function list(headers: Record<string, string>, query: Record<string, string>) {
  const res = await call(`/api/admin/user_list?${new URLSearchParams(query)}`, { headers });
  expect(res.status).toBe(200);
  return json<{ items: Record<string, any>[]; next_cursor: string | null }>(res);
}

describe("admin/user_list", () => {
  it("pages newest first with a stable order; rows inserted between pages are neither skipped nor repeated", async () => {
    const { headers } = await asAdmin();
    const base = 1_700_000_000_000;
    const seeded = [];
    // Ties on created_at are ordered by id.
    for (let i = 0; i < 11; i++) seeded.push(await seedUser({ id: `pg-${String(i).padStart(2, "0")}`, email: `list-page${i}@list.test`, createdAt: base + Math.floor(i / 3) * 1000, status: i % 2 ? "active" : "pending" }));
    const expected = [...seeded].sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1)).map((u) => u.id);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await list(headers, { q: "list-", limit: "4", ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((u) => u.auth_user_id));
      cursor = page.next_cursor;
      // Someone creates users while the admin is paging: newer ones, and one with a tie on the newest time.
      await seedUser({ email: `list-late${pages}@list.test`, createdAt: Date.now() });
      await seedUser({ id: `pg-zz-${pages}`, email: `list-tie${pages}@list.test`, createdAt: base + 3000 });
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(expected);
  });

  it("filters by status and q (email, name or surname prefix, case-insensitive, wildcards literal) and caps limit at 100", async () => {
    const { headers } = await asAdmin();
    await seedUser({ email: "grace@filter.test", name: "Grace Hopper", status: "active" });
    await seedUser({ email: "alan@filter.test", name: "Alan Turing", status: "disabled" });
    await seedUser({ email: "per%cent@filter.test", name: "Percent", status: "active" });
    const byName = await list(headers, { q: "HOPPER" });
    expect(byName.items.map((u) => u.email)).toEqual(["grace@filter.test"]);
    const disabled = await list(headers, { q: "alan", status: "disabled" });
    expect(disabled.items.map((u) => u.email)).toEqual(["alan@filter.test"]);
    expect((await list(headers, { q: "alan", status: "active" })).items).toEqual([]);
    const literal = await list(headers, { q: "per%" });
    expect(literal.items.map((u) => u.email)).toEqual(["per%cent@filter.test"]);
    expect((await list(headers, { q: "pe_" })).items).toEqual([]);
    expect((await list(headers, { q: "%" })).items).toEqual([]);
    expect(JSON.stringify(byName)).not.toMatch(/password_hash|totp_secret/);

    for (const [query, field] of [[{ limit: "101" }, "limit"], [{ limit: "0" }, "limit"], [{ limit: "x" }, "limit"], [{ status: "root" }, "status"], [{ cursor: "garbage!" }, "cursor"]] as const) {
      const res = await call(`/api/admin/user_list?${new URLSearchParams(query)}`, { headers });
      expect(res.status).toBe(400);
      expect((await json(res)).error.fields).toHaveProperty(field);
    }
  });
});
