import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { type AuditQuery, auditBoundSql, auditPageSql } from "../../src/store/audit-query";
import worker from "../../src/index";
import { call, db, json } from "../helpers";
import { asAdmin } from "./fixtures";

let headers: Record<string, string>;
beforeAll(async () => {
  headers = (await asAdmin()).headers;
});

const T0 = Date.parse("2026-01-01T00:00:00Z");

async function insertAudit(rows: Partial<Record<string, unknown>>[]) {
  const stmts = rows.map((r) =>
    env.DB.prepare("INSERT INTO audit_log (at, actor_type, actor_id, action, target_type, target_id, site_key, outcome, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)").bind(
      r.at ?? Date.now(),
      r.actor_type ?? "admin",
      r.actor_id ?? "adm_seed",
      r.action ?? "seed.action",
      r.target_type ?? "user",
      r.target_id ?? null,
      r.site_key ?? null,
      r.outcome ?? "success",
      r.details ?? "{}",
    ),
  );
  await env.DB.batch(stmts);
}

async function list(query: Record<string, string>) {
  const res = await call(`/api/admin/audit_list?${new URLSearchParams(query)}`, { headers });
  const body = await json(res);
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body as { items: Record<string, any>[]; next_cursor: string | null };
}

describe("admin/audit_list", () => {
  it("pages newest first by id; rows written between pages neither repeat nor go missing", async () => {
    await insertAudit(Array.from({ length: 12 }, (_, i) => ({ action: "page.test", target_id: `t${i}`, at: T0 + i })));
    const expected = (await env.DB.prepare("SELECT id FROM audit_log WHERE action = 'page.test' ORDER BY id DESC").all<{ id: number }>()).results.map((r) => r.id);
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page = await list({ action: "page.test", limit: "5", ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((i) => i.id));
      cursor = page.next_cursor;
      await insertAudit([{ action: "page.test", target_id: "late" }]);
    } while (cursor);
    expect(seen).toEqual(expected);
  });

  it("filters by actor, action, target, site_key, outcome and time range", async () => {
    await insertAudit([
      { actor_id: "adm_f1", action: "f.one", target_id: "u_f1", site_key: "fs1", outcome: "success", at: T0 + 1000 },
      { actor_id: "adm_f2", action: "f.two", target_id: "u_f2", site_key: "fs2", outcome: "failure", at: T0 + 2000 },
      { actor_id: "adm_f1", action: "f.two", target_id: "u_f1", site_key: "fs2", outcome: "denied", at: T0 + 3000, details: '{"a":1}' },
    ]);
    const ids = async (q: Record<string, string>) => (await list(q)).items.map((i) => `${i.action}/${i.outcome}`);
    expect(await ids({ actor: "adm_f1" })).toEqual(["f.two/denied", "f.one/success"]);
    expect(await ids({ action: "f.two" })).toEqual(["f.two/denied", "f.two/failure"]);
    expect(await ids({ target: "u_f2" })).toEqual(["f.two/failure"]);
    expect(await ids({ site_key: "fs2", outcome: "denied" })).toEqual(["f.two/denied"]);
    expect(await ids({ actor: "adm_f1", action: "f.two" })).toEqual(["f.two/denied"]);
    expect(await ids({ site_key: "fs1", since: new Date(T0 + 1000).toISOString(), until: String(T0 + 2000) })).toEqual(["f.one/success"]);
    expect(await ids({ site_key: "fs2", since: String(T0 + 2001) })).toEqual(["f.two/denied"]);
    expect(await ids({ site_key: "fs2", until: "2026-01-01T00:00:02.001Z" })).toEqual(["f.two/failure"]);
    const [item] = (await list({ outcome: "denied", actor: "adm_f1" })).items;
    expect(item).toMatchObject({ actor_type: "admin", actor_id: "adm_f1", target_type: "user", details: { a: 1 }, at: new Date(T0 + 3000).toISOString() });
  });

  it("validates the query", async () => {
    for (const [q, field] of [[{ limit: "500" }, "limit"], [{ outcome: "meh" }, "outcome"], [{ since: "yesterday" }, "since"], [{ cursor: "abc" }, "cursor"], [{ since: "2000", until: "1000" }, "until"]] as const) {
      const res = await call(`/api/admin/audit_list?${new URLSearchParams(q)}`, { headers });
      expect(res.status).toBe(400);
      expect((await json(res)).error.fields).toHaveProperty(field);
    }
  });

  it("is read-only: no route writes or deletes audit rows", async () => {
    for (const path of ["/api/admin/audit_list", "/api/admin/audit_delete", "/api/admin/audit_update"]) {
      const res = await call(path, { method: "POST", json: { id: 1 }, headers });
      expect([404, 405]).toContain(res.status);
    }
    const doc = await json(await call("/api/openapi.json"));
    const auditPaths = Object.keys(doc.paths).filter((p) => p.includes("audit"));
    expect(auditPaths).toEqual(["/api/admin/audit_list"]);
    expect(Object.keys(doc.paths["/api/admin/audit_list"])).toEqual(["get"]);
  });
});

describe("audit query plans", () => {
  const base: AuditQuery = { actorId: null, action: null, targetId: null, siteKey: null, outcome: null, since: null, until: null, beforeId: 100, limit: 51 };
  async function plan(query: AuditQuery, bounds = { lo: null as number | null, hi: null as number | null }) {
    const { sql, params } = auditPageSql(db(), query, bounds);
    const rows = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`).bind(...params).all<{ detail: string }>();
    return rows.results.map((r) => r.detail).join(" | ");
  }

  it("walks one index range per filter, never a sort or a full scan", async () => {
    const cases: [Partial<AuditQuery>, string][] = [
      [{ actorId: "a" }, "audit_actor_idx"],
      [{ action: "a" }, "audit_action_idx"],
      [{ targetId: "a" }, "audit_target_idx"],
      [{ siteKey: "a" }, "audit_site_idx"],
      [{ outcome: "success" }, "audit_outcome_idx"],
    ];
    for (const [filter, index] of cases) {
      const detail = await plan({ ...base, ...filter });
      expect(detail, JSON.stringify(filter)).toContain(`USING INDEX ${index}`);
      expect(detail).not.toMatch(/TEMP B-TREE|^SCAN/);
    }
    const none = await plan(base);
    expect(none).toMatch(/USING INTEGER PRIMARY KEY/);
    expect(none).not.toMatch(/TEMP B-TREE/);
    const timed = await plan({ ...base, since: 1, until: 2 }, { lo: 1, hi: 50 });
    expect(timed).toMatch(/USING INTEGER PRIMARY KEY/);
    expect(timed).not.toMatch(/TEMP B-TREE/);
    for (const { sql, params } of auditBoundSql(db())) {
      const detail = (await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`).bind(...params).all<{ detail: string }>()).results.map((r) => r.detail).join(" | ");
      expect(detail).toContain("audit_at_idx");
      expect(detail).not.toMatch(/TEMP B-TREE/);
    }
  });
});

describe("audit retention", () => {
  it("the scheduled handler deletes rows older than AUDIT_RETENTION_DAYS and keeps the rest", async () => {
    const day = 86_400_000;
    await insertAudit([
      { action: "retention.old", at: Date.now() - 366 * day },
      { action: "retention.recent", at: Date.now() - 364 * day },
    ]);
    const ctx = createExecutionContext();
    const scheduled = worker.scheduled as unknown as (c: ScheduledController, e: typeof env, x: ExecutionContext) => Promise<void>;
    await scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "17 3 * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    const left = (await env.DB.prepare("SELECT action FROM audit_log WHERE action LIKE 'retention.%'").all<{ action: string }>()).results;
    expect(left.map((r) => r.action)).toEqual(["retention.recent"]);
  });
});
