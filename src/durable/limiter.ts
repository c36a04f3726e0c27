import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import {
  type AttemptOutcome,
  attemptChallenge,
  consumeChallenge,
  cooldownRemaining,
  createChallengeTables,
  isChallengeOpen,
  openChallenge,
  pruneChallenges,
} from "./challenge-table";
import {
  type FailurePolicy,
  type FailureState,
  type TakeResult,
  checkFailures,
  clearFailures,
  createLimitTable,
  nextLimitExpiry,
  pruneLimits,
  recordFailure,
  reserveFailure,
  take,
} from "./limit-table";
import { type PasskeyChallengeRow, createPasskeyChallengeTable, prunePasskeyChallenges, putPasskeyChallenge, takePasskeyChallenge } from "./passkey-challenge-table";

export type { FailurePolicy, FailureState, TakeResult } from "./limit-table";

// One object of a FIXED pool of shards (src/store/limits.ts picks the shard from a digest of the key,
// so every object a request can touch always exists, whichever address it names). Each shard holds,
// as rows keyed by limiter key or challenge owner, what must be strongly consistent before anyone has
// proven anything: limiter buckets and failure counts (per client address, site, hashed email …) and
// challenge accounting (attempts, single use, "a new code kills the old one", the hourly failure cap).
// A per-address object would have told a careful observer which addresses were tried recently (a
// warm object answers faster than a new one); rows inside an object that exists anyway do not.

export class Limiter extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    createLimitTable(this.sql);
    createChallengeTables(this.sql);
    createPasskeyChallengeTable(this.sql);
  }

  // ── limiter buckets and failure counts ─────────────────────────────────────────────

  /** Sliding-window counter: allows at most `limit` takes per `windowSeconds` in `bucket` of `key`. */
  async take(key: string, bucket: string, limit: number, windowSeconds: number, now = Date.now()): Promise<TakeResult> {
    const result = take(this.sql, key, bucket, limit, windowSeconds, now);
    await this.scheduleAlarm();
    return result;
  }

  /** Current failure state without recording anything (checked before any password hashing). */
  checkFailures(key: string, policy: FailurePolicy, now = Date.now()): FailureState {
    return checkFailures(this.sql, key, policy, now);
  }

  /** Records a failure; attempts while locked are refused before they get here, so they never extend a lock. */
  async recordFailure(key: string, policy: FailurePolicy, now = Date.now()): Promise<FailureState> {
    const state = recordFailure(this.sql, key, policy, now);
    await this.scheduleAlarm();
    return state;
  }

  /** Check and count in one step (see limit-table.ts reserveFailure). */
  async reserveFailure(key: string, policy: FailurePolicy, now = Date.now()): Promise<FailureState & { lockedNow: boolean }> {
    const state = reserveFailure(this.sql, key, policy, now);
    await this.scheduleAlarm();
    return state;
  }

  /** A success forgets earlier failures. */
  clearFailures(key: string): void {
    clearFailures(this.sql, key);
  }

  // ── challenge accounting ───────────────────────────────────────────────────────────

  /** Seconds to wait before another challenge of `purpose` may be issued to `owner`. */
  challengeCooldown(owner: string, purpose: string, now: number): number {
    return cooldownRemaining(this.sql, owner, purpose, now);
  }

  async openChallenge(owner: string, id: string, purpose: string, expiresAt: number, now: number): Promise<void> {
    openChallenge(this.sql, owner, id, purpose, expiresAt, now);
    await this.scheduleAlarm();
  }

  attemptChallenge(owner: string, id: string, purpose: string, correct: boolean, consume: boolean, now: number): AttemptOutcome {
    return attemptChallenge(this.sql, owner, id, purpose, correct, consume, now);
  }

  /** Whether a challenge is still open (a superseded, used, exhausted or expired one is not). */
  isChallengeOpen(owner: string, id: string, now: number): boolean {
    return isChallengeOpen(this.sql, owner, id, now);
  }

  consumeChallenge(owner: string, id: string): boolean {
    return consumeChallenge(this.sql, owner, id);
  }

  /** Stores a WebAuthn challenge (passkey-challenge-table.ts); it expires on its own after 5 minutes. */
  async openPasskeyChallenge(row: PasskeyChallengeRow, replaceOpen: boolean, now: number): Promise<void> {
    putPasskeyChallenge(this.sql, row, replaceOpen, now);
    await this.scheduleAlarm();
  }

  /** Uses up a WebAuthn challenge: the live record once, then null forever. */
  takePasskeyChallenge(id: string, now: number): PasskeyChallengeRow | null {
    return takePasskeyChallenge(this.sql, id, now);
  }

  /** Cheapest possible call: the bench's Durable Object floor and the scheduled warm-up. */
  ping(): number {
    return 1;
  }

  // ── housekeeping ───────────────────────────────────────────────────────────────────

  private async scheduleAlarm(): Promise<void> {
    const next = nextLimitExpiry(this.sql);
    const wanted = next === null ? Date.now() + 86_400_000 : next;
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > wanted) await this.ctx.storage.setAlarm(wanted);
  }

  /** Forgets keys once nothing in them can matter any more, and challenge history older than a day. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    // Objects of the per-key layout (one object per limiter key) kept their state under this key.
    this.ctx.storage.kv.delete("state");
    pruneLimits(this.sql, now);
    const challengesLeft = pruneChallenges(this.sql, now);
    prunePasskeyChallenges(this.sql, now);
    const next = nextLimitExpiry(this.sql);
    if (next !== null) await this.ctx.storage.setAlarm(Math.max(next, now + 1000));
    else if (challengesLeft > 0) await this.ctx.storage.setAlarm(now + 3_600_000);
  }
}
