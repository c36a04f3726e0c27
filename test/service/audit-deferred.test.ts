import { env } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { MAX_BATCH_ROWS, deferAudit, unwrittenAuditRows } from "../../src/services/audit/deferred";
import { sha256Hex } from "../../src/crypto/hmac";
import { revokeServiceKey } from "../../src/services/keys/service-keys";
import { apiKeyWithOwnerByHashRead } from "../../src/store/api-keys";
import { findServiceKeyWithRead, serviceKeyWithReadStatement } from "../../src/store/service-keys";
import { userByEmailRead, userByIdRead } from "../../src/store/users";
import { db, json, settleAudit, testCtx, systemCtx } from "../helpers";
import { BOOTSTRAP, callService, makeApiKey, makeServiceKey, seedUser } from "./helpers";

// The audit rows of the read-only service calls are written after the response, batched across
// requests (src/services/audit-deferred.ts). No row may be lost or written twice.

let user: Awaited<ReturnType<typeof seedUser>>;
let keySecret: string;
let keyId: string;
let apiKeySecret: string;

beforeAll(async () => {
  user = await seedUser();
  const made = await makeServiceKey(["user_resolve", "api_key_verify"], "deferred-audit");
  keySecret = made.secret;
  keyId = made.key.id;
  apiKeySecret = (await makeApiKey(user.id)).secret;
});

afterEach(() => vi.restoreAllMocks());

async function rowsFor(requestIds: string[]) {
  const { results } = await env.DB.prepare(
    `SELECT request_id, action, actor_id, outcome FROM audit_log WHERE request_id IN (${requestIds.map(() => "?").join(",")})`,
  )
    .bind(...requestIds)
    .all<{ request_id: string; action: string; actor_id: string; outcome: string }>();
  return results;
}

describe("deferred audit rows of service calls", () => {
  it("N parallel calls (more than one flush holds) leave exactly N rows, one per request", async () => {
    const n = MAX_BATCH_ROWS + 30;
    const responses = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        i % 2 === 0
          ? callService("/api/service/user_resolve", keySecret, { auth_user_id: user.id })
          : callService("/api/auth_api_key_verify", keySecret, { api_key: apiKeySecret }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(n).fill(200));
    const requestIds = responses.map((r) => r.headers.get("X-Request-Id")!);
    expect(new Set(requestIds).size).toBe(n);
    await settleAudit();
    const rows = await rowsFor(requestIds);
    expect(rows).toHaveLength(n);
    expect(new Set(rows.map((r) => r.request_id))).toEqual(new Set(requestIds));
    expect(rows.every((r) => r.actor_id === keyId && r.outcome === "success")).toBe(true);
    expect(rows.filter((r) => r.action === "service.user_resolve")).toHaveLength(n / 2);
    expect(rows.filter((r) => r.action === "service.api_key_verify")).toHaveLength(n / 2);
  });

  it("failures (404, valid:false) are recorded too, and refused keys record nothing", async () => {
    const missing = await callService("/api/service/user_resolve", BOOTSTRAP, { auth_user_id: "usr_nobody" });
    expect(missing.status).toBe(404);
    const invalid = await callService("/api/auth_api_key_verify", keySecret, { api_key: "a2k_000000000000_" + "A".repeat(43) });
    expect((await json(invalid)).valid).toBe(false);
    const refused = await callService("/api/service/user_resolve", "a2s_000000000000_" + "A".repeat(43), { auth_user_id: user.id });
    expect(refused.status).toBe(401);
    await settleAudit();
    const rows = await rowsFor([missing, invalid, refused].map((r) => r.headers.get("X-Request-Id")!));
    expect(rows.map((r) => `${r.action}:${r.outcome}:${r.actor_id}`).sort()).toEqual(
      ["service.api_key_verify:failure:" + keyId, "service.user_resolve:failure:bootstrap"].sort(),
    );
  });

  it("writes rows handed over together in one flush, and the counter returns to zero", async () => {
    const flushes: Promise<unknown>[] = [];
    const waitUntil = (work: Promise<unknown>) => void flushes.push(work);
    const ids = ["rq_batch_a", "rq_batch_b", "rq_batch_c"];
    for (const requestId of ids) {
      deferAudit(testCtx({ meta: { requestId, ip: "192.0.2.1", userAgent: "t" }, waitUntil }), { actor: { type: "system", id: "test" }, action: "test.deferred" });
    }
    expect(flushes).toHaveLength(1);
    expect(unwrittenAuditRows()).toBe(3);
    await Promise.all(flushes);
    expect(unwrittenAuditRows()).toBe(0);
    expect((await rowsFor(ids)).map((r) => r.request_id).sort()).toEqual(ids);
  });

  it("stores every field of every row exactly as handed over, ids ascending in hand-over order", async () => {
    const flushes: Promise<unknown>[] = [];
    const waitUntil = (work: Promise<unknown>) => void flushes.push(work);
    const at = 1_790_000_000_123;
    const odd = ["plain", "12345", "quote ' and \" and \\", "ünïcødé ✓ 🔑", "", "null", "[1,2]", "tab\tnewline\n"];
    const ids = odd.map((_, i) => `rq_exact_${i}`);
    odd.forEach((text, i) => {
      deferAudit(testCtx({ meta: { requestId: ids[i]!, ip: "2001:db8::1", userAgent: text }, waitUntil, now: at + i }), {
          actor: { type: "service", id: text },
          action: `test.exact.${i}`,
          target: i % 2 ? { type: "thing", id: text } : undefined,
          outcome: i % 3 === 0 ? "failure" : "success",
          details: { text, n: i, nested: { list: [text, null, 1.5] } },
        });
    });
    await Promise.all(flushes);
    const { results } = await env.DB.prepare(`SELECT * FROM audit_log WHERE request_id LIKE 'rq_exact_%' ORDER BY id`).all<Record<string, unknown>>();
    expect(results.map((r) => r.request_id)).toEqual(ids);
    results.forEach((row, i) => {
      expect(row).toMatchObject({
        at: at + i,
        actor_type: "service",
        actor_id: odd[i],
        action: `test.exact.${i}`,
        target_type: i % 2 ? "thing" : null,
        target_id: i % 2 ? odd[i] : null,
        site_key: null,
        ip: "2001:db8::1",
        user_agent: odd[i],
        outcome: i % 3 === 0 ? "failure" : "success",
      });
      expect(typeof row.at).toBe("number");
      expect(JSON.parse(String(row.details))).toEqual({ text: odd[i], n: i, nested: { list: [odd[i], null, 1.5] } });
    });
  });

  it("a row D1 refuses is reported without taking the rows flushed with it", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const flushes: Promise<unknown>[] = [];
    const waitUntil = (work: Promise<unknown>) => void flushes.push(work);
    const meta = (requestId: string) => ({ requestId, ip: "192.0.2.1", userAgent: "t" });
    deferAudit(testCtx({ meta: meta("rq_good_1"), waitUntil }), { actor: { type: "system", id: "test" }, action: "test.good" });
    // action is NOT NULL in audit_log: this row fails every attempt.
    deferAudit(testCtx({ meta: meta("rq_bad"), waitUntil }), { actor: { type: "system", id: "test" }, action: null as unknown as string });
    deferAudit(testCtx({ meta: meta("rq_good_2"), waitUntil }), { actor: { type: "system", id: "test" }, action: "test.good" });
    await Promise.all(flushes);
    expect(unwrittenAuditRows()).toBe(0);
    expect((await rowsFor(["rq_good_1", "rq_bad", "rq_good_2"])).map((r) => r.request_id).sort()).toEqual(["rq_good_1", "rq_good_2"]);
    expect(errors).toHaveBeenCalledTimes(1);
    const report = JSON.parse(String(errors.mock.calls[0]![0]));
    expect(report).toMatchObject({ event: "audit_write_failed", rows: 1, request_ids: ["rq_bad"] });
  });
});

describe("one round trip: the key is still checked before the request is judged", () => {
  const wellShapedUnknown = "a2s_000000000000_" + "A".repeat(43);

  it("401 for a well-shaped unknown or revoked key even when the body is invalid", async () => {
    for (const body of [{ auth_user_id: 42 }, {}, { auth_user_id: "a", email: "b@example.com" }, { email: "not an email" }]) {
      const res = await callService("/api/service/user_resolve", wellShapedUnknown, body);
      expect(res.status).toBe(401);
      expect((await json(res)).error.code).toBe("invalid_service_key");
    }
    const res = await callService("/api/auth_api_key_verify", wellShapedUnknown, { api_key: "" });
    expect(res.status).toBe(401);
    const firebase = await callService("/api/firebase_custom_token", wellShapedUnknown, { auth_user_id: user.id, claims: { iss: "x" } });
    expect(firebase.status).toBe(401);
  });

  it("403 for a key without the scope even when the body is invalid; 400 only with the right key", async () => {
    const other = (await makeServiceKey(["firebase_token"])).secret;
    const bad = { auth_user_id: "a", email: "b@example.com" };
    const denied = await callService("/api/service/user_resolve", other, bad);
    expect(denied.status).toBe(403);
    expect((await json(denied)).error.code).toBe("scope_denied");
    const zodBad = await callService("/api/service/user_resolve", other, { auth_user_id: 42 });
    expect(zodBad.status).toBe(403);
    const ok = await callService("/api/service/user_resolve", keySecret, bad);
    expect(ok.status).toBe(400);
    expect((await json(ok)).error.code).toBe("invalid_request");
  });

  it("the one statement is index lookups only, for every read a service route makes", async () => {
    const reads = [userByIdRead(user.id), userByEmailRead(user.email), apiKeyWithOwnerByHashRead(sha256Hex(apiKeySecret))];
    for (const read of [...reads, null]) {
      const { sql, params } = serviceKeyWithReadStatement(sha256Hex(keySecret), "user_resolve", read);
      const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`).bind(...params).all<{ detail: string }>();
      const plan = results.map((r) => r.detail);
      expect(plan.length, sql).toBeGreaterThan(0);
      expect(plan.every((step) => /^SEARCH \w+ USING (INDEX|INTEGER PRIMARY KEY|PRIMARY KEY|COVERING INDEX)/.test(step)), plan.join(" | ")).toBe(true);
    }
  });

  it("the route's read finds nothing unless a live key of that hash holds the scope (one statement)", async () => {
    const read = async (secret: string, scope: string) => (await findServiceKeyWithRead(db(), sha256Hex(secret), scope, userByIdRead(user.id))).result;
    const made = await makeServiceKey(["firebase_token", "api_key_verify"]);
    expect((await read(made.secret, "firebase_token"))?.id).toBe(user.id);
    expect((await read(made.secret, "api_key_verify"))?.id).toBe(user.id);
    expect(await read(made.secret, "user_resolve")).toBeNull();
    expect(await read(wellShapedUnknown, "firebase_token")).toBeNull();
    await revokeServiceKey(systemCtx(), { type: "system", id: "test" }, made.key.id);
    expect(await read(made.secret, "firebase_token")).toBeNull();
  });
});
