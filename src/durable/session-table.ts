// Sessions inside a UserState object (SQLite). Only the SHA-256 of a session secret is stored.

export interface SessionRow {
  id: string;
  site_key: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  idle_seconds: number;
  ip: string;
  user_agent: string;
  factors: string[];
  /**
   * When the user last proved a credential in this session (ms): the sign-in itself, then every
   * auth_reauthenticate. What "recent authentication" is judged by (and, later, OIDC auth_time).
   */
  authenticated_at: number;
}

export interface NewSession extends SessionRow {
  secret_hash: string;
}

export function createSessionTable(sql: SqlStorage): void {
  sql.exec(`CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL UNIQUE,
    site_key TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    idle_seconds INTEGER NOT NULL,
    ip TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    factors TEXT NOT NULL,
    authenticated_at INTEGER
  )`);
  // Objects created before authenticated_at existed: add the column (their rows fall back to created_at).
  const columns = sql.exec<{ name: string }>("SELECT name FROM pragma_table_info('sessions')").toArray();
  if (!columns.some((c) => c.name === "authenticated_at")) sql.exec("ALTER TABLE sessions ADD COLUMN authenticated_at INTEGER");
}

type Raw = Record<string, SqlStorageValue>;

function toSession(row: Raw): SessionRow {
  return {
    id: String(row.id),
    site_key: String(row.site_key),
    created_at: Number(row.created_at),
    last_seen_at: Number(row.last_seen_at),
    expires_at: Number(row.expires_at),
    idle_seconds: Number(row.idle_seconds),
    ip: String(row.ip),
    user_agent: String(row.user_agent),
    factors: JSON.parse(String(row.factors)) as string[],
    authenticated_at: row.authenticated_at == null ? Number(row.created_at) : Number(row.authenticated_at),
  };
}

export function insertSession(sql: SqlStorage, s: NewSession): void {
  sql.exec(
    "INSERT INTO sessions (id, secret_hash, site_key, created_at, last_seen_at, expires_at, idle_seconds, ip, user_agent, factors, authenticated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
    s.id, s.secret_hash, s.site_key, s.created_at, s.last_seen_at, s.expires_at, s.idle_seconds, s.ip, s.user_agent, JSON.stringify(s.factors), s.authenticated_at,
  );
}

/** Records a new proof of a credential in a live session (auth_reauthenticate); false when there is no such session. */
export function markSessionAuthenticated(sql: SqlStorage, id: string, now: number): boolean {
  return sql.exec("UPDATE sessions SET authenticated_at = ? WHERE id = ?", now, id).rowsWritten > 0;
}

export function findSessionByHash(sql: SqlStorage, secretHash: string): SessionRow | null {
  const rows = sql.exec("SELECT * FROM sessions WHERE secret_hash = ?", secretHash).toArray();
  return rows[0] ? toSession(rows[0]) : null;
}

export function touchSession(sql: SqlStorage, id: string, now: number): void {
  sql.exec("UPDATE sessions SET last_seen_at = ? WHERE id = ?", now, id);
}

export function deleteSessionById(sql: SqlStorage, id: string): number {
  return sql.exec("DELETE FROM sessions WHERE id = ?", id).rowsWritten;
}

export function deleteSessionsExcept(sql: SqlStorage, keepId: string | null): number {
  return keepId === null
    ? sql.exec("DELETE FROM sessions").rowsWritten
    : sql.exec("DELETE FROM sessions WHERE id != ?", keepId).rowsWritten;
}

export function listSessions(sql: SqlStorage): SessionRow[] {
  return sql.exec("SELECT * FROM sessions ORDER BY created_at").toArray().map(toSession);
}

/** Deletes sessions past their absolute expiry or idle timeout; returns the next time one will lapse. */
export function pruneSessions(sql: SqlStorage, now: number): number | null {
  sql.exec("DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at + idle_seconds * 1000 <= ?", now, now);
  const next = sql.exec<{ next: number | null }>("SELECT MIN(MIN(expires_at, last_seen_at + idle_seconds * 1000)) AS next FROM sessions").one().next;
  return next === null ? null : Number(next);
}

export function isSessionLive(s: SessionRow, now: number): boolean {
  return s.expires_at > now && s.last_seen_at + s.idle_seconds * 1000 > now;
}

/** The identity snapshot kept beside the sessions: the canonical payload (flat JSON values only). */
export type IdentitySnapshot = { [key: string]: string | number | boolean | null };
