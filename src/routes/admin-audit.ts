import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import type { AppEnv } from "../middleware/app-env";
import { listAudit } from "../services/audit/list";
import { CursorField, LimitField } from "./admin-schemas";
import { errorResponses, jsonResponse, validationHook } from "./common";

/** ISO 8601 date-time (with offset) or integer milliseconds since the epoch. */
const TimeField = z
  .string()
  .max(40)
  .transform((v, ctx) => {
    const ms = /^\d{1,15}$/.test(v) ? Number(v) : /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(v) ? Date.parse(v) : NaN;
    if (!Number.isFinite(ms)) {
      ctx.addIssue({ code: "custom", message: "Expected an ISO 8601 date-time or epoch milliseconds" });
      return z.NEVER;
    }
    return ms;
  })
  .optional()
  .openapi({ type: "string", example: "2026-11-01T00:00:00Z" });

const Filter = z.string().min(1).max(200).optional();

const AuditItemSchema = z
  .object({
    id: z.number().int(),
    at: z.string(),
    actor_type: z.string(),
    actor_id: z.string().nullable(),
    action: z.string(),
    target_type: z.string().nullable(),
    target_id: z.string().nullable(),
    site_key: z.string().nullable(),
    ip: z.string().nullable(),
    user_agent: z.string().nullable(),
    request_id: z.string().nullable(),
    outcome: z.string(),
    details: z.record(z.string(), z.unknown()),
  })
  .openapi("AuditItem");

const auditListRoute = createRoute({
  method: "get",
  path: "/api/admin/audit_list",
  tags: ["Admin"],
  summary: "Reads the audit trail, newest first",
  description:
    "Filters (all optional, combined with AND): `actor` (actor id), `action` (e.g. user.update), `target` (target id), `site_key`, " +
    "`outcome` (success | failure | denied), `since` (inclusive) and `until` (exclusive) as ISO 8601 or epoch ms. Cursor pagination by id: " +
    "pass `next_cursor` back as `cursor`; rows written meanwhile never shift later pages. `limit` 1–100 (default 50). Read-only; rows older " +
    "than AUDIT_RETENTION_DAYS are pruned daily.",
  request: {
    query: z.object({
      actor: Filter,
      action: Filter,
      target: Filter,
      site_key: Filter,
      outcome: z.enum(["success", "failure", "denied"]).optional(),
      since: TimeField,
      until: TimeField,
      cursor: CursorField,
      limit: LimitField,
    }),
  },
  responses: { 200: jsonResponse(z.object({ ok: z.literal(true), items: z.array(AuditItemSchema), next_cursor: z.string().nullable() })), ...errorResponses(400, 401, 403) },
});

export const adminAuditRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(auditListRoute, async (c) => {
  const page = await listAudit(c.var.ctx, c.req.valid("query"));
  return c.json({ ok: true as const, ...page }, 200);
});
