import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import { AppError } from "../lib/errors";
import { normaliseEmail } from "../lib/email";
import type { AppEnv } from "../middleware/app-env";
import { listDevOutbox } from "../services/mail/dev-outbox";
import { errorResponses, jsonResponse, validationHook } from "./common";

const OutboxItemSchema = z.object({
  id: z.string(),
  to: z.string(),
  subject: z.string(),
  text: z.string(),
  html: z.string(),
  template: z.string(),
  site_key: z.string().nullable(),
  created_at: z.string().openapi({ format: "date-time" }),
});

const OutboxSchema = z.object({ ok: z.literal(true), items: z.array(OutboxItemSchema) }).openapi("DevOutbox");

const outboxRoute = createRoute({
  method: "get",
  path: "/dev/outbox",
  tags: ["Operations"],
  summary: "Mails the development mail provider stored instead of sending (development only)",
  description:
    "With MAIL_PROVIDER=log every mail Auth2 would send (sign-in codes, reset links, onboarding codes…) is " +
    "rendered and stored here instead, so every emailed flow can be finished locally. Newest first; `to` " +
    "filters by recipient (normalised email). Answers 404 unless ENVIRONMENT=development. The items contain " +
    "live codes and links: never enable development mode on a reachable deployment.",
  request: {
    query: z.object({
      to: z.string().max(254).optional().openapi({ example: "jane@example.com" }),
      limit: z.coerce.number().int().min(1).max(100).default(20),
    }),
  },
  responses: { 200: jsonResponse(OutboxSchema), ...errorResponses(400, 404) },
});

export const devOutboxRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

// Outside development the route does not exist, before any validation can tell otherwise.
devOutboxRoutes.use("/dev/outbox", async (c, next) => {
  if (!c.var.ctx.config.isDevelopment) throw new AppError("not_found");
  await next();
});

devOutboxRoutes.openapi(outboxRoute, async (c) => {
  const query = c.req.valid("query");
  let to: string | null = null;
  if (query.to !== undefined && query.to !== "") {
    to = normaliseEmail(query.to);
    if (!to) throw new AppError("invalid_request", { fields: { to: "Not a valid email address." } });
  }
  const items = await listDevOutbox(c.var.ctx, { to, limit: query.limit });
  c.header("Cache-Control", "no-store");
  return c.json({ ok: true as const, items: items.map((i) => ({ ...i, created_at: new Date(i.created_at).toISOString() })) }, 200);
});
