import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../src/index";
import { describe, expect, it } from "vitest";
import { call, json } from "../helpers";

describe("GET /healthz", () => {
  it("answers 200 when D1 and KV answer", async () => {
    const res = await call("/healthz");
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ ok: true, checks: { d1: "ok", kv: "ok" } });
  });

  it("answers 503 with the envelope when D1 fails", async () => {
    const brokenDb = { prepare: () => ({ first: () => Promise.reject(new Error("D1_ERROR: boom")) }) } as unknown as D1Database;
    const ctx = createExecutionContext();
    const res = await worker.fetch(new Request("https://auth.test/healthz"), { ...env, DB: brokenDb }, ctx);
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(503);
    const body = await json(res);
    expect(body.ok).toBe(false);
    expect(body.error.code).toBe("service_unavailable");
    expect(body.error.checks).toEqual({ d1: "error", kv: "ok" });
    expect(JSON.stringify(body)).not.toContain("boom");
  });
});
