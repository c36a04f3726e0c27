import { buildAuditEntry } from "../../../src/services/audit/record";
import type { ExistingUser, ImportPlan, UserColumns } from "./plan";

// SQL for the import, as plain text: the script hands each batch to `wrangler d1 execute --file`
// (which runs a file as one D1 batch, i.e. one transaction, locally and remotely), the tests run it
// against env.DB. Every statement is safe to run again: inserts do nothing when the email (or id)
// exists, updates set absolute values. A batch that failed can therefore simply be re-run.

// wrangler strips the first "BEGIN TRANSACTION;" and "COMMIT;" from a SQL file by plain text
// replacement (quoted values included) and refuses a file with two of them; such text in a value is
// therefore written as a concatenation ('…BEGIN' || ' TRANSACTION…') that never spells it out.
const WRANGLER_TRIMMED = /BEGIN(\s+TRANSACTION)|COMMIT(;)/gi;

/** A SQL literal: NULL, an integer, or a quoted string. */
export function sqlLiteral(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "boolean") return value ? "1" : "0";
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new Error(`not an integer: ${value}`);
    return String(value);
  }
  const quoted = value.replace(/'/g, "''").replace(WRANGLER_TRIMMED, (match, rest: string | undefined, semi: string | undefined) => {
    const tail = rest ?? semi ?? "";
    return `${match.slice(0, match.length - tail.length)}' || '${tail}`;
  });
  return `'${quoted}'`;
}

const INSERT_COLUMNS: readonly (keyof UserColumns)[] = [
  "id", "email", "email_verified", "name", "display_name", "phone", "job_title", "department", "locale", "timezone",
  "status", "password_hash", "password_changed_at", "source", "external_id", "created_at", "updated_at",
];

export const EXISTING_COLUMNS: readonly (keyof ExistingUser)[] = [
  "id", "email", "email_verified", "name", "display_name", "phone", "job_title", "department", "locale", "timezone",
  "status", "password_hash", "external_id", "created_at",
];

/**
 * One page of the users already in D1, in email order (keyset pagination: pass the last email seen).
 * `idsOnly` (enough for --on-conflict skip) reads just id and email, a tenth of the bytes.
 */
export function existingUsersQuery(afterEmail: string, limit: number, idsOnly = false): string {
  const columns = idsOnly ? ["id", "email"] : EXISTING_COLUMNS;
  return `SELECT ${columns.join(", ")} FROM users WHERE email > ${sqlLiteral(afterEmail)} ORDER BY email LIMIT ${Math.floor(limit)}`;
}

/**
 * The users with these emails, as few queries as fit under `maxBytes` each (D1 caps a statement at
 * 100 KB, and a command line argument is capped too). Cheaper than reading every user for a small file.
 */
export function existingByEmailQueries(emails: string[], idsOnly = false, maxBytes = 90_000): string[] {
  const columns = idsOnly ? ["id", "email"] : EXISTING_COLUMNS;
  const head = `SELECT ${columns.join(", ")} FROM users WHERE email IN (`;
  const queries: string[] = [];
  let list: string[] = [];
  let size = head.length + 1;
  for (const email of emails) {
    const literal = sqlLiteral(email);
    if (list.length > 0 && size + literal.length + 1 > maxBytes) {
      queries.push(`${head}${list.join(",")})`);
      list = [];
      size = head.length + 1;
    }
    list.push(literal);
    size += literal.length + 1;
  }
  if (list.length > 0) queries.push(`${head}${list.join(",")})`);
  return queries;
}

export interface BatchOptions {
  /** Users (inserts + updates) per batch, i.e. per transaction. */
  batchSize: number;
  /** Rows per multi-row INSERT; keeps each statement well under D1's 100 KB statement limit. */
  rowsPerInsert?: number;
  siteKey?: string | null;
  /** Shown in the audit row (file name, no path). */
  source?: string;
  now: number;
}

export interface SqlBatch {
  /** The statements, in order; `sql` is the same as one file (statements end with `;`). */
  statements: string[];
  sql: string;
  inserted: number;
  updated: number;
}

/** Cuts the plan into batches of SQL; each batch ends with its audit row so the two commit together. */
export function buildBatches(plan: ImportPlan, options: BatchOptions): SqlBatch[] {
  const rowsPerInsert = options.rowsPerInsert ?? 100;
  const batches: SqlBatch[] = [];
  const total = Math.max(plan.inserts.length + plan.updates.length, 0);
  let insertAt = 0;
  let updateAt = 0;
  for (let start = 0; start < total; start += options.batchSize) {
    const statements: string[] = [];
    let room = options.batchSize;
    const inserts = plan.inserts.slice(insertAt, insertAt + room);
    insertAt += inserts.length;
    room -= inserts.length;
    for (let k = 0; k < inserts.length; k += rowsPerInsert) statements.push(insertStatement(inserts.slice(k, k + rowsPerInsert)));
    const updates = plan.updates.slice(updateAt, updateAt + room);
    updateAt += updates.length;
    for (const update of updates) statements.push(updateStatement(update.id, update.set));
    statements.push(auditStatementSql(batches.length + 1, inserts.length, updates.length, options));
    batches.push({ statements, sql: `${statements.join(";\n")};\n`, inserted: inserts.length, updated: updates.length });
  }
  return batches;
}

export function insertStatement(rows: UserColumns[]): string {
  const values = rows.map((row) => `(${INSERT_COLUMNS.map((c) => sqlLiteral(row[c])).join(", ")})`);
  // No conflict target: an email or id that exists by now (created since the plan was made, or by an
  // earlier run of this batch) is left alone rather than overwritten.
  return `INSERT INTO users (${INSERT_COLUMNS.join(", ")}) VALUES\n${values.join(",\n")}\nON CONFLICT DO NOTHING`;
}

export function updateStatement(id: string, set: Partial<UserColumns>): string {
  const assignments = Object.entries(set).map(([column, value]) => `${column} = ${sqlLiteral(value)}`);
  return `UPDATE users SET ${assignments.join(", ")} WHERE id = ${sqlLiteral(id)}`;
}

function auditStatementSql(batch: number, inserted: number, updated: number, options: BatchOptions): string {
  const entry = buildAuditEntry(
    {
      actor: { type: "system", id: "import-users" },
      action: "user_import",
      siteKey: options.siteKey ?? null,
      details: { batch, inserted, updated, ...(options.source ? { file: options.source } : {}) },
    },
    null,
    options.now,
  );
  const columns = ["at", "actor_type", "actor_id", "action", "target_type", "target_id", "site_key", "ip", "user_agent", "request_id", "outcome", "details"];
  const values = [entry.at, entry.actorType, entry.actorId, entry.action, entry.targetType, entry.targetId, entry.siteKey, entry.ip, entry.userAgent, entry.requestId, entry.outcome, JSON.stringify(entry.details)];
  // Written once even if the same batch runs twice (a retry after a lost answer): the batch number,
  // file and run time in `details`/`at` identify it.
  const at = sqlLiteral(entry.at);
  const details = sqlLiteral(JSON.stringify(entry.details));
  return (
    `INSERT INTO audit_log (${columns.join(", ")}) SELECT ${values.map(sqlLiteral).join(", ")}\n` +
    `WHERE NOT EXISTS (SELECT 1 FROM audit_log WHERE action = 'user_import' AND at = ${at} AND details = ${details})`
  );
}
