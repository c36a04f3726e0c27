import type { Ctx, RequestMeta } from "../../context";
import type { AuditEntry } from "../../store/audit";

// The audit trail's writer. Every admin action, sign-in success and failure, factor event, reset,
// onboarding, key event and lockout writes a row; a change and its row commit in one batch
// (auditStatement). Rows never hold a credential (redactDetails).

export interface AuditEvent {
  actor: { type: AuditEntry["actorType"]; id?: string | null };
  action: string;
  target?: { type: string; id: string | null } | undefined;
  siteKey?: string | null | undefined;
  outcome?: AuditEntry["outcome"];
  details?: Record<string, unknown>;
}

const SECRET_FIELD = /password|secret|token|code|hash|key_material|api_key|totp/i;

/** Drops anything secret-looking from audit details: audit rows must never hold a credential. */
export function redactDetails(details: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(details)) {
    if (SECRET_FIELD.test(k)) continue;
    out[k] = v && typeof v === "object" && !Array.isArray(v) ? redactDetails(v as Record<string, unknown>) : v;
  }
  return out;
}

export function buildAuditEntry(event: AuditEvent, meta: RequestMeta | null, now = Date.now()): AuditEntry {
  return {
    at: now,
    actorType: event.actor.type,
    actorId: event.actor.id ?? null,
    action: event.action,
    targetType: event.target?.type ?? null,
    targetId: event.target?.id ?? null,
    siteKey: event.siteKey ?? null,
    ip: meta?.ip ?? null,
    userAgent: meta?.userAgent ?? null,
    requestId: meta?.requestId ?? null,
    outcome: event.outcome ?? "success",
    details: redactDetails(event.details ?? {}),
  };
}

/** The one audit writer. Use `auditStatement` instead when the row must commit in a batch with the change it records. */
export async function recordAudit(ctx: Ctx, event: AuditEvent): Promise<void> {
  await ctx.store.audit.insert(buildAuditEntry(event, ctx.meta));
}

/** The insert statement for a store.batch([...]) so the change and its audit row commit together. */
export function auditStatement(ctx: Ctx, event: AuditEvent) {
  return ctx.store.audit.insert(buildAuditEntry(event, ctx.meta));
}

/** The audit row for a batch's preceding conditional UPDATE, written only if that UPDATE changed a row. */
export function auditStatementIfChanged(ctx: Ctx, event: AuditEvent) {
  return ctx.store.audit.insertIfChanged(buildAuditEntry(event, ctx.meta));
}

/** Retention: the scheduled run deletes rows older than AUDIT_RETENTION_DAYS. */
export async function pruneAudit(ctx: Ctx): Promise<number> {
  return ctx.store.audit.deleteBefore(ctx.now - ctx.config.auditRetentionDays * 86_400_000);
}
