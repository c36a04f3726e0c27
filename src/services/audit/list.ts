import type { Ctx } from "../../context";
import { AppError } from "../../lib/errors";
import type { AuditRow } from "../../store/audit-query";

// Reading the audit trail (read-only: no route edits or deletes audit rows; retention pruning is
// the scheduled handler's job).

export interface AuditItem {
  id: number;
  at: string;
  actor_type: string;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  site_key: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  outcome: string;
  details: Record<string, unknown>;
}

export interface AuditListInput {
  actor?: string | undefined;
  action?: string | undefined;
  target?: string | undefined;
  site_key?: string | undefined;
  outcome?: string | undefined;
  since?: number | undefined;
  until?: number | undefined;
  cursor?: string | undefined;
  limit?: number | undefined;
}

function toItem(row: AuditRow): AuditItem {
  let details: Record<string, unknown> = {};
  try {
    details = JSON.parse(row.details) as Record<string, unknown>;
  } catch {
    details = {};
  }
  return {
    id: row.id,
    at: new Date(row.at).toISOString(),
    actor_type: row.actorType,
    actor_id: row.actorId,
    action: row.action,
    target_type: row.targetType,
    target_id: row.targetId,
    site_key: row.siteKey,
    ip: row.ip,
    user_agent: row.userAgent,
    request_id: row.requestId,
    outcome: row.outcome,
    details,
  };
}

/** A page of audit rows, newest first; pass `next_cursor` back as `cursor`. */
export async function listAudit(ctx: Ctx, input: AuditListInput): Promise<{ items: AuditItem[]; next_cursor: string | null }> {
  const limit = input.limit ?? 50;
  let beforeId: number | null = null;
  if (input.cursor !== undefined) {
    if (!/^\d{1,15}$/.test(input.cursor)) throw new AppError("invalid_request", { fields: { cursor: "Invalid cursor" } });
    beforeId = Number(input.cursor);
  }
  if (input.since !== undefined && input.until !== undefined && input.since >= input.until) {
    throw new AppError("invalid_request", { fields: { until: "Must be after since" } });
  }
  const rows = await ctx.store.audit.listPage({
    actorId: input.actor ?? null,
    action: input.action ?? null,
    targetId: input.target ?? null,
    siteKey: input.site_key ?? null,
    outcome: input.outcome ?? null,
    since: input.since ?? null,
    until: input.until ?? null,
    beforeId,
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  return { items: page.map(toItem), next_cursor: rows.length > limit ? String(page[page.length - 1]!.id) : null };
}
