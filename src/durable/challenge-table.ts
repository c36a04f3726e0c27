// Challenge accounting inside a Limiter shard (SQLite). KV holds the challenge record (eventually
// consistent); attempts, single use and "a new code kills the old one" are decided here, where every
// request for the challenge's owner is serialised. `owner` names the account the attempts count
// against: an auth_user_id, "admin:<id>", or "ghost:<digest>" for an address nobody can sign in with
// (so those behave exactly like real accounts). Rows of many owners share a shard.

export const MAX_ATTEMPTS_PER_CHALLENGE = 5;
export const MAX_FAILURES_PER_HOUR = 10;
export const RESEND_COOLDOWN_SECONDS = 60;
const HISTORY_MS = 86_400_000;
const FAILURE_WINDOW_MS = 3_600_000;

export type AttemptOutcome =
  | { result: "ok"; attemptsRemaining: number }
  | { result: "wrong"; attemptsRemaining: number }
  | { result: "expired" }
  | { result: "locked"; retryAfterSeconds: number };

export function createChallengeTables(sql: SqlStorage): void {
  sql.exec(`CREATE TABLE IF NOT EXISTS challenges (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    purpose TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL DEFAULT 'open'
  )`);
  sql.exec("CREATE INDEX IF NOT EXISTS challenges_owner ON challenges (owner, purpose, state)");
  sql.exec("CREATE INDEX IF NOT EXISTS challenges_created ON challenges (created_at)");
  sql.exec("CREATE TABLE IF NOT EXISTS code_failures (owner TEXT NOT NULL, at INTEGER NOT NULL)");
  sql.exec("CREATE INDEX IF NOT EXISTS code_failures_owner ON code_failures (owner, at)");
}

/** Seconds until a new challenge for `purpose` may be issued to `owner` (0 = now). */
export function cooldownRemaining(sql: SqlStorage, owner: string, purpose: string, now: number): number {
  const row = sql.exec<{ last: number | null }>("SELECT MAX(created_at) AS last FROM challenges WHERE owner = ? AND purpose = ?", owner, purpose).one();
  if (row.last === null) return 0;
  const wait = Number(row.last) + RESEND_COOLDOWN_SECONDS * 1000 - now;
  return wait > 0 ? Math.ceil(wait / 1000) : 0;
}

/** Registers a new challenge; every earlier open challenge of the same owner and purpose dies with it. */
export function openChallenge(sql: SqlStorage, owner: string, id: string, purpose: string, expiresAt: number, now: number): void {
  sql.exec("UPDATE challenges SET state = 'superseded' WHERE owner = ? AND purpose = ? AND state = 'open'", owner, purpose);
  sql.exec("INSERT INTO challenges (id, owner, purpose, created_at, expires_at) VALUES (?, ?, ?, ?, ?)", id, owner, purpose, now, expiresAt);
}

function recentFailures(sql: SqlStorage, owner: string, now: number): number {
  sql.exec("DELETE FROM code_failures WHERE owner = ? AND at <= ?", owner, now - FAILURE_WINDOW_MS);
  return Number(sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM code_failures WHERE owner = ?", owner).one().n);
}

function lockRetryAfter(sql: SqlStorage, owner: string, now: number): number {
  const oldest = sql.exec<{ at: number }>("SELECT MIN(at) AS at FROM code_failures WHERE owner = ?", owner).one().at;
  return Math.max(1, Math.ceil((Number(oldest) + FAILURE_WINDOW_MS - now) / 1000));
}

/**
 * Records one attempt at challenge `id`. `correct` is the caller's constant-time comparison of the
 * code; `consume` marks a correct attempt as used (false for "check" routes that only validate).
 */
export function attemptChallenge(sql: SqlStorage, owner: string, id: string, purpose: string, correct: boolean, consume: boolean, now: number): AttemptOutcome {
  const row = sql.exec<{ attempts: number; state: string; expires_at: number }>(
    "SELECT attempts, state, expires_at FROM challenges WHERE id = ? AND owner = ? AND purpose = ?", id, owner, purpose,
  ).toArray()[0];
  if (!row || row.state !== "open" || Number(row.expires_at) <= now) return { result: "expired" };
  if (recentFailures(sql, owner, now) >= MAX_FAILURES_PER_HOUR) return { result: "locked", retryAfterSeconds: lockRetryAfter(sql, owner, now) };
  const attempts = Number(row.attempts);
  if (attempts >= MAX_ATTEMPTS_PER_CHALLENGE) return { result: "expired" };
  if (correct) {
    if (consume) sql.exec("UPDATE challenges SET state = 'consumed' WHERE id = ?", id);
    return { result: "ok", attemptsRemaining: MAX_ATTEMPTS_PER_CHALLENGE - attempts };
  }
  const used = attempts + 1;
  // The fifth wrong code burns the challenge: the client must ask for a new one.
  sql.exec("UPDATE challenges SET attempts = ?, state = ? WHERE id = ?", used, used >= MAX_ATTEMPTS_PER_CHALLENGE ? "exhausted" : "open", id);
  sql.exec("INSERT INTO code_failures (owner, at) VALUES (?, ?)", owner, now);
  return { result: "wrong", attemptsRemaining: MAX_ATTEMPTS_PER_CHALLENGE - used };
}

/** Whether challenge `id` of `owner` can still be answered (open, unexpired, attempts left). */
export function isChallengeOpen(sql: SqlStorage, owner: string, id: string, now: number): boolean {
  const row = sql.exec<{ attempts: number; state: string; expires_at: number }>(
    "SELECT attempts, state, expires_at FROM challenges WHERE id = ? AND owner = ?", id, owner,
  ).toArray()[0];
  return !!row && row.state === "open" && Number(row.expires_at) > now && Number(row.attempts) < MAX_ATTEMPTS_PER_CHALLENGE;
}

/** Marks challenge `id` used after the caller finished the work it guarded (two-step complete flows). */
export function consumeChallenge(sql: SqlStorage, owner: string, id: string): boolean {
  return sql.exec("UPDATE challenges SET state = 'consumed' WHERE id = ? AND owner = ? AND state = 'open'", id, owner).rowsWritten > 0;
}

/**
 * Keeps a day of history (cooldowns and audits need no more) and an hour of failures; returns how
 * many challenge rows are left.
 */
export function pruneChallenges(sql: SqlStorage, now: number): number {
  sql.exec("DELETE FROM challenges WHERE created_at < ?", now - HISTORY_MS);
  sql.exec("DELETE FROM code_failures WHERE at <= ?", now - FAILURE_WINDOW_MS);
  return Number(sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM challenges").one().n);
}
