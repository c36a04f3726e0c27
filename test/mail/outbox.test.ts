import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/index";
import { LOCAL_BASE, call as callAny, json, productionEnv } from "../helpers";

/** The outbox is served to local hosts only: every call here goes to one. */
const call = (path: string) => callAny(path, { base: LOCAL_BASE });
import { mailMessage, runQueue } from "./queue-helpers";

const first = mailMessage({ to: "alice@example.com", template: "welcome", data: { name: "Alice" } });
const second = mailMessage({ to: "bob@example.com", data: { code: "111222", expires_minutes: 10 } });
const third = mailMessage({ to: "Alice@Example.com", site_key: "demo", data: { code: "333444", expires_minutes: 5 } });

beforeAll(async () => {
  // Delivered one by one so created_at orders them (ties fall back to insertion order).
  for (const m of [first, second, third]) await runQueue("auth2-mail", [m]);
});

describe("GET /dev/outbox", () => {
  it("lists rendered mails newest first with the documented fields", async () => {
    const res = await call("/dev/outbox");
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const body = await json(res);
    expect(body.ok).toBe(true);
    expect(body.items.map((i: any) => i.id)).toEqual([third.id, second.id, first.id]);
    const item = body.items[0];
    expect(Object.keys(item).sort()).toEqual(["created_at", "html", "id", "site_key", "subject", "template", "text", "to"]);
    expect(item).toMatchObject({ to: "alice@example.com", template: "login_code", site_key: "demo" });
    expect(new Date(item.created_at).toISOString()).toBe(item.created_at);
    expect(item.text).toMatch(/^333444$/m);
    expect(item.html).toContain("333444");
  });

  it("filters by normalised recipient and limits", async () => {
    const alice = await json(await call("/dev/outbox?to=%20ALICE@example.com%20"));
    expect(alice.items.map((i: any) => i.id)).toEqual([third.id, first.id]);
    const one = await json(await call("/dev/outbox?to=alice@example.com&limit=1"));
    expect(one.items.map((i: any) => i.id)).toEqual([third.id]);
    expect((await json(await call("/dev/outbox?to=nobody@example.com"))).items).toEqual([]);
  });

  it("answers 400 for a bad filter or limit", async () => {
    const bad = await call("/dev/outbox?to=not-an-email");
    expect(bad.status).toBe(400);
    expect((await json(bad)).error).toMatchObject({ code: "invalid_request", fields: { to: expect.any(String) } });
    expect((await call("/dev/outbox?limit=0")).status).toBe(400);
    expect((await call("/dev/outbox?limit=101")).status).toBe(400);
  });

  it("is served on the canonical path only in development: 404 in the envelope otherwise", async () => {
    for (const environment of ["production", "staging", ""]) {
      const ctx = createExecutionContext();
      const res = await worker.fetch(new Request(`${LOCAL_BASE}/dev/outbox?to=alice@example.com`), productionEnv({ ENVIRONMENT: environment }), ctx);
      await waitOnExecutionContext(ctx);
      expect(res.status).toBe(404);
      const body = await json(res);
      expect(body).toMatchObject({ ok: false, error: { code: "not_found" } });
      expect(JSON.stringify(body)).not.toContain("333444");
    }
    // Invalid query parameters do not reveal the route either.
    const ctx = createExecutionContext();
    const res = await worker.fetch(new Request(`${LOCAL_BASE}/dev/outbox?limit=zzz`), productionEnv(), ctx);
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(404);
  });

  it("is in the OpenAPI document under Operations", async () => {
    const doc = await json(await call("/api/openapi.json"));
    expect(doc.paths["/dev/outbox"].get.tags).toEqual(["Operations"]);
  });
});
