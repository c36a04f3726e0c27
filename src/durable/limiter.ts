import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";

// One object per limiter key (e.g. "login-email:<hmac>", "ip:<addr>", "ip6:<prefix>::/64", "login-site:<key>").
// Strongly consistent, so parallel requests cannot slip past a count the way KV would let them.

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

interface State {
  hits: Record<string, number[]>; // bucket name → timestamps (ms)
  failures: number[];
  lockedUntil: number;
}

const STATE_KEY = "state";
const SOFT_WAIT_MS = 15_000;

export class Limiter extends DurableObject<Env> {
  private state: State;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.state = (ctx.storage.kv.get(STATE_KEY) as State | undefined) ?? { hits: {}, failures: [], lockedUntil: 0 };
  }

  private save(expiresAt: number): void {
    this.ctx.storage.kv.put(STATE_KEY, this.state);
    // Forget the key once nothing in it can matter any more.
    void this.ctx.storage.setAlarm(expiresAt);
  }

  /** Sliding-window counter: allows at most `limit` takes per `windowSeconds` in `bucket`. */
  take(bucket: string, limit: number, windowSeconds: number, now = Date.now()): TakeResult {
    const windowMs = windowSeconds * 1000;
    const hits = (this.state.hits[bucket] ?? []).filter((t) => t > now - windowMs);
    if (hits.length >= limit) {
      this.state.hits[bucket] = hits;
      return { allowed: false, remaining: 0, retryAfterSeconds: Math.max(1, Math.ceil((hits[0]! + windowMs - now) / 1000)) };
    }
    hits.push(now);
    this.state.hits[bucket] = hits;
    this.save(now + windowMs);
    return { allowed: true, remaining: limit - hits.length, retryAfterSeconds: 0 };
  }

  /** Current failure state without recording anything (checked before any password hashing). */
  checkFailures(policy: FailurePolicy, now = Date.now()): FailureState {
    if (this.state.lockedUntil > now) {
      return { allowed: false, failures: this.recentFailures(policy, now).length, retryAfterSeconds: Math.ceil((this.state.lockedUntil - now) / 1000) };
    }
    const recent = this.recentFailures(policy, now);
    if (recent.length >= policy.softLimit) {
      // Each failure past the soft limit doubles the wait: 15 s, 30 s, 60 s …, counted from the last
      // failure. The waits before the hard limit sum to well under the window, so a client that
      // honours Retry-After still reaches the lock inside it.
      const wait = SOFT_WAIT_MS * 2 ** (recent.length - policy.softLimit);
      const until = recent[recent.length - 1]! + wait;
      if (until > now) return { allowed: false, failures: recent.length, retryAfterSeconds: Math.ceil((until - now) / 1000) };
    }
    return { allowed: true, failures: recent.length, retryAfterSeconds: 0 };
  }

  /** Records a failure; attempts while locked are refused before they get here, so they never extend a lock. */
  recordFailure(policy: FailurePolicy, now = Date.now()): FailureState {
    if (this.state.lockedUntil > now) return this.checkFailures(policy, now);
    const recent = this.recentFailures(policy, now);
    recent.push(now);
    this.state.failures = recent;
    if (recent.length >= policy.hardLimit) {
      this.state.lockedUntil = now + policy.lockSeconds * 1000;
      this.state.failures = [];
    }
    this.save(Math.max(now + policy.windowSeconds * 1000, this.state.lockedUntil));
    return this.checkFailures(policy, now);
  }

  /**
   * Check and count in one step, before the caller does any expensive work (hashing): an admitted
   * attempt is counted as a failure at once and the caller clears the count on success. Parallel
   * attempts therefore cannot all pass a check that none of them has recorded yet; refused attempts
   * are not counted, so attempts made while limited or locked never extend the wait.
   */
  reserveFailure(policy: FailurePolicy, now = Date.now()): FailureState & { lockedNow: boolean } {
    const state = this.checkFailures(policy, now);
    if (!state.allowed) return { ...state, lockedNow: false };
    const wasLocked = this.state.lockedUntil > now;
    this.recordFailure(policy, now);
    const lockedNow = !wasLocked && this.state.lockedUntil > now;
    return { allowed: true, failures: state.failures + 1, retryAfterSeconds: 0, lockedNow };
  }

  /** A success forgets earlier failures. */
  clearFailures(): void {
    if (this.state.failures.length === 0 && this.state.lockedUntil === 0) return;
    this.state.failures = [];
    this.state.lockedUntil = 0;
    this.ctx.storage.kv.put(STATE_KEY, this.state);
  }

  /** Cheapest possible call: used by the bench floor route. */
  ping(): number {
    return this.state.failures.length;
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    const live = this.state.lockedUntil > now || this.state.failures.some((t) => t > now - 86_400_000) ||
      Object.values(this.state.hits).some((hits) => hits.some((t) => t > now - 86_400_000));
    if (!live) {
      this.state = { hits: {}, failures: [], lockedUntil: 0 };
      await this.ctx.storage.deleteAll();
    }
  }

  private recentFailures(policy: FailurePolicy, now: number): number[] {
    return this.state.failures.filter((t) => t > now - policy.windowSeconds * 1000);
  }
}
