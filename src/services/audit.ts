import type { RequestMeta } from "../lib/types";
import { type AuditEntry, auditInsert, auditInsertIfChanged, deleteAuditBefore } from "../store/audit";
import type { Db } from "../store/db";

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
export async function recordAudit(db: Db, event: AuditEvent, meta: RequestMeta | null): Promise<void> {
  await auditInsert(db, buildAuditEntry(event, meta));
}

/** The insert statement for a db.batch([...]) so the change and its audit row commit together. */
export function auditStatement(db: Db, event: AuditEvent, meta: RequestMeta | null) {
  return auditInsert(db, buildAuditEntry(event, meta));
}

/** The audit row for a batch's preceding conditional UPDATE, written only if that UPDATE changed a row. */
export function auditStatementIfChanged(db: Db, event: AuditEvent, meta: RequestMeta | null) {
  return auditInsertIfChanged(db, buildAuditEntry(event, meta));
}

/** Retention: the scheduled handler deletes rows older than `days`. */
export async function pruneAudit(db: Db, days: number, now = Date.now()): Promise<number> {
  return deleteAuditBefore(db, now - days * 86_400_000);
}
