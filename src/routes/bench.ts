import { Hono } from "hono";
import type { AppEnv } from "../lib/types";

/**
 * Floor routes for the benchmark harness only (mounted when BENCH_ROUTES=1): what the platform
 * itself costs, so a real route's figure can be read as a ratio to them. Never in the OpenAPI document.
 */
export const benchRoutes = new Hono<AppEnv>()
  .get("/bare", (c) => c.json({ ok: true }))
  .get("/do", async (c) => {
    const stub = c.env.LIMITER.get(c.env.LIMITER.idFromName("bench:floor"));
    return c.json({ ok: true, value: await stub.ping() });
  })
  .get("/d1", async (c) => {
    const row = await c.env.DB.prepare("SELECT site_key FROM sites WHERE site_key = ?").bind("demo").first();
    return c.json({ ok: true, found: row !== null });
  });
