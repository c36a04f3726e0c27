import { Hono } from "hono";
import { hashPassword } from "../crypto/password-hash";
import type { AppEnv } from "../middleware/app-env";

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
  })
  // One password hash with the configured (production) parameters and pepper, as login/registration pay it.
  // The parameters are echoed so the harness can check it measured the production ones.
  .get("/hash", async (c) => {
    const scrypt = c.var.ctx.config.scrypt;
    const pepper = c.var.ctx.secrets.pepper;
    const hash = await hashPassword("bench-Password-2026!", { scrypt, pepper });
    return c.json({ ok: true, params: scrypt, peppered: Boolean(pepper), length: hash.length });
  });
