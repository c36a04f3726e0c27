// WebAuthn challenges inside a Limiter shard (SQLite), beside the other challenge accounting. The
// whole record lives here, not in KV: a passkey challenge is looked up only to be used up, and taking
// it is one DELETE … RETURNING in an object that serialises every request, so two verifications of
// one challenge can never both succeed. Only the SHA-256 of the challenge is stored (the challenge
// itself went to the browser). Which shard holds a challenge: src/store/passkey-challenges.ts.

export const PASSKEY_CHALLENGE_PURPOSES = ["register", "authenticate", "factor"] as const;
/**
 * register: adding a passkey (signed in). authenticate: signing in with a passkey. factor: a passkey
 * as the second factor of a sign-in whose first factor is proven (bound to that login challenge).
 */
export type PasskeyChallengePurpose = (typeof PASSKEY_CHALLENGE_PURPOSES)[number];

export interface PasskeyChallengeRow {
  /** Hex SHA-256 of the base64url challenge. */
  id: string;
  purpose: PasskeyChallengePurpose;
  /** The user the ceremony is for; null when not known (discoverable sign-in, unknown email). */
  userId: string | null;
  /** Any user's passkey may answer (discoverable sign-in). False with userId null: nobody's may. */
  anyUser: boolean;
  siteKey: string;
  createdAt: number;
  expiresAt: number;
}

export function createPasskeyChallengeTable(sql: SqlStorage): void {
  sql.exec(`CREATE TABLE IF NOT EXISTS passkey_challenges (
    id TEXT PRIMARY KEY,
    purpose TEXT NOT NULL,
    user_id TEXT,
    any_user INTEGER NOT NULL,
    site_key TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  )`);
  sql.exec("CREATE INDEX IF NOT EXISTS passkey_challenges_expiry ON passkey_challenges (expires_at)");
  sql.exec("CREATE INDEX IF NOT EXISTS passkey_challenges_user ON passkey_challenges (user_id, purpose)");
}

/** Deletes challenges past their expiry (nothing ever reads them again). */
export function prunePasskeyChallenges(sql: SqlStorage, now: number): void {
  sql.exec("DELETE FROM passkey_challenges WHERE expires_at <= ?", now);
}

/**
 * Stores a challenge. Expired rows go first. With `replaceOpen`, the user's earlier open challenges
 * of the same purpose die with it ("a new one kills the old one").
 */
export function putPasskeyChallenge(sql: SqlStorage, row: PasskeyChallengeRow, replaceOpen: boolean, now: number): void {
  prunePasskeyChallenges(sql, now);
  if (replaceOpen && row.userId !== null) {
    sql.exec("DELETE FROM passkey_challenges WHERE purpose = ? AND user_id = ?", row.purpose, row.userId);
  }
  sql.exec(
    "INSERT INTO passkey_challenges (id, purpose, user_id, any_user, site_key, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    row.id,
    row.purpose,
    row.userId,
    row.anyUser ? 1 : 0,
    row.siteKey,
    row.createdAt,
    row.expiresAt,
  );
}

/** Removes challenge `id` and returns it if it was still live: the one way a challenge is used. */
export function takePasskeyChallenge(sql: SqlStorage, id: string, now: number): PasskeyChallengeRow | null {
  const row = sql
    .exec<{ id: string; purpose: string; user_id: string | null; any_user: number; site_key: string; created_at: number; expires_at: number }>(
      "DELETE FROM passkey_challenges WHERE id = ? RETURNING id, purpose, user_id, any_user, site_key, created_at, expires_at",
      id,
    )
    .toArray()[0];
  if (!row || Number(row.expires_at) <= now) return null;
  if (!(PASSKEY_CHALLENGE_PURPOSES as readonly string[]).includes(row.purpose)) return null;
  return {
    id: row.id,
    purpose: row.purpose as PasskeyChallengePurpose,
    userId: row.user_id,
    anyUser: Number(row.any_user) === 1,
    siteKey: row.site_key,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
  };
}
