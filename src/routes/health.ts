import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import { AppError } from "../lib/errors";
import type { AppEnv } from "../middleware/app-env";
import { checkStorage } from "../services/ops/health";
import { errorResponses, jsonResponse, validationHook } from "./common";

const HealthSchema = z.object({
  ok: z.literal(true),
  checks: z.object({ d1: z.literal("ok"), kv: z.literal("ok") }),
});

const healthRoute = createRoute({
  method: "get",
  path: "/healthz",
  tags: ["Operations"],
  summary: "D1 and KV reachability",
  responses: { 200: jsonResponse(HealthSchema), ...errorResponses(503) },
});

export const healthRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(healthRoute, async (c) => {
  const checks = await checkStorage(c.var.ctx);
  if (checks.d1 !== "ok" || checks.kv !== "ok") {
    throw new AppError("service_unavailable", { extra: { checks } });
  }
  c.header("Cache-Control", "no-store");
  return c.json({ ok: true as const, checks: { d1: "ok" as const, kv: "ok" as const } }, 200);
});
