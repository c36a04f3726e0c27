// Limiter state inside a Limiter shard (SQLite): one row per limiter key. A row holds the key's
// sliding-window buckets (timestamps per bucket), its recent failures and any lock, and the time
// after which nothing in it can matter (then the alarm deletes it).

export interface TakeResult {
  allowed: boolean;
  remaining: number;
  retryAfterSeconds: number;
}

export interface FailurePolicy {
  /** Failures counted within this window. */
  windowSeconds: number;
  /** From this many failures, answer 429 with a growing Retry-After. */
  softLimit: number;
  /** At this many failures, lock for lockSeconds. */
  hardLimit: number;
  lockSeconds: number;
}

export interface FailureState {
  allowed: boolean;
  failures: number;
  retryAfterSeconds: number;
}

interface KeyState {
  hits: Record<string, number[]>; // bucket name → timestamps (ms)
  failures: number[];
  lockedUntil: number;
}

const SOFT_WAIT_MS = 15_000;

export function createLimitTable(sql: SqlStorage): void {
  sql.exec(`CREATE TABLE IF NOT EXISTS limits (
    key TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  )`);
  sql.exec("CREATE INDEX IF NOT EXISTS limits_expiry ON limits (expires_at)");
}

function load(sql: SqlStorage, key: string): KeyState {
  const row = sql.exec<{ state: string }>("SELECT state FROM limits WHERE key = ?", key).toArray()[0];
  return row ? (JSON.parse(row.state) as KeyState) : { hits: {}, failures: [], lockedUntil: 0 };
}

/** Stores the key's state, to be forgotten at `expiresAt` (never earlier than what is stored). */
function save(sql: SqlStorage, key: string, state: KeyState, expiresAt: number): void {
  sql.exec(
    "INSERT INTO limits (key, state, expires_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET state = excluded.state, expires_at = MAX(limits.expires_at, excluded.expires_at)",
    key,
    JSON.stringify(state),
    expiresAt,
  );
}

function recent(state: KeyState, policy: FailurePolicy, now: number): number[] {
  return state.failures.filter((t) => t > now - policy.windowSeconds * 1000);
}

/** Sliding-window counter: allows at most `limit` takes per `windowSeconds` in `bucket`. */
export function take(sql: SqlStorage, key: string, bucket: string, limit: number, windowSeconds: number, now: number): TakeResult {
  const state = load(sql, key);
  const windowMs = windowSeconds * 1000;
  const hits = (state.hits[bucket] ?? []).filter((t) => t > now - windowMs);
  if (hits.length >= limit) {
    return { allowed: false, remaining: 0, retryAfterSeconds: Math.max(1, Math.ceil((hits[0]! + windowMs - now) / 1000)) };
  }
  hits.push(now);
  state.hits[bucket] = hits;
  save(sql, key, state, now + windowMs);
  return { allowed: true, remaining: limit - hits.length, retryAfterSeconds: 0 };
}

function judge(state: KeyState, policy: FailurePolicy, now: number): FailureState {
  if (state.lockedUntil > now) {
    return { allowed: false, failures: recent(state, policy, now).length, retryAfterSeconds: Math.ceil((state.lockedUntil - now) / 1000) };
  }
  const failures = recent(state, policy, now);
  if (failures.length >= policy.softLimit) {
    // Each failure past the soft limit doubles the wait: 15 s, 30 s, 60 s …, counted from the last
    // failure. The waits before the hard limit sum to well under the window, so a client that
    // honours Retry-After still reaches the lock inside it.
    const wait = SOFT_WAIT_MS * 2 ** (failures.length - policy.softLimit);
    const until = failures[failures.length - 1]! + wait;
    if (until > now) return { allowed: false, failures: failures.length, retryAfterSeconds: Math.ceil((until - now) / 1000) };
  }
  return { allowed: true, failures: failures.length, retryAfterSeconds: 0 };
}

/** Current failure state without recording anything (checked before any password hashing). */
export function checkFailures(sql: SqlStorage, key: string, policy: FailurePolicy, now: number): FailureState {
  return judge(load(sql, key), policy, now);
}

/** Records a failure; attempts while locked are refused before they get here, so they never extend a lock. */
export function recordFailure(sql: SqlStorage, key: string, policy: FailurePolicy, now: number): FailureState {
  const state = load(sql, key);
  if (state.lockedUntil > now) return judge(state, policy, now);
  const failures = recent(state, policy, now);
  failures.push(now);
  state.failures = failures;
  if (failures.length >= policy.hardLimit) {
    state.lockedUntil = now + policy.lockSeconds * 1000;
    state.failures = [];
  }
  save(sql, key, state, Math.max(now + policy.windowSeconds * 1000, state.lockedUntil));
  return judge(state, policy, now);
}

/**
 * Check and count in one step, before the caller does any expensive work (hashing): an admitted
 * attempt is counted as a failure at once and the caller clears the count on success. Parallel
 * attempts therefore cannot all pass a check that none of them has recorded yet; refused attempts
 * are not counted, so attempts made while limited or locked never extend the wait.
 */
export function reserveFailure(sql: SqlStorage, key: string, policy: FailurePolicy, now: number): FailureState & { lockedNow: boolean } {
  const before = load(sql, key);
  const state = judge(before, policy, now);
  if (!state.allowed) return { ...state, lockedNow: false };
  const wasLocked = before.lockedUntil > now;
  recordFailure(sql, key, policy, now);
  const lockedNow = !wasLocked && load(sql, key).lockedUntil > now;
  return { allowed: true, failures: state.failures + 1, retryAfterSeconds: 0, lockedNow };
}

/** A success forgets earlier failures (buckets stay). */
export function clearFailures(sql: SqlStorage, key: string): void {
  const state = load(sql, key);
  if (state.failures.length === 0 && state.lockedUntil === 0) return;
  state.failures = [];
  state.lockedUntil = 0;
  sql.exec("UPDATE limits SET state = ? WHERE key = ?", JSON.stringify(state), key);
}

/** The key's stored state (tests and operators). */
export function readLimitState(sql: SqlStorage, key: string): KeyState | null {
  const row = sql.exec<{ state: string }>("SELECT state FROM limits WHERE key = ?", key).toArray()[0];
  return row ? (JSON.parse(row.state) as KeyState) : null;
}

/** Deletes keys whose every entry has lapsed. */
export function pruneLimits(sql: SqlStorage, now: number): void {
  sql.exec("DELETE FROM limits WHERE expires_at <= ?", now);
}

/** When the next key lapses, or null when none is stored. */
export function nextLimitExpiry(sql: SqlStorage): number | null {
  const next = sql.exec<{ next: number | null }>("SELECT MIN(expires_at) AS next FROM limits").one().next;
  return next === null ? null : Number(next);
}
