import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import {
  type IdentitySnapshot,
  type NewSession,
  type SessionRow,
  createSessionTable,
  deleteSessionById,
  deleteSessionsExcept,
  findSessionByHash,
  insertSession,
  isSessionLive,
  listSessions,
  markSessionAuthenticated,
  pruneSessions,
  touchSession,
} from "./session-table";

// One object per account: users by `idFromName(auth_user_id)`, admins by `idFromName("admin:" + id)`
// (names built in src/store/sessions.ts). It holds what must be strongly consistent for the account
// once it has proven who it is: the identity snapshot that session checks answer from (no D1 read),
// sessions, the TOTP replay guard and used recovery codes. Anything counted before a password or code
// is proven (limits, challenge attempts) lives in the fixed pool of Limiter shards instead, so no
// request naming an email address reaches this object before a password or code is proven.

const IDENTITY_KEY = "identity";
const TOTP_STEP_KEY = "totp_last_step";
/**
 * last_seen_at is written at most once a minute, and at most every quarter of the session's idle
 * timeout: with the shortest allowed timeout (60 s) a session used every 20 s is touched every 15 s,
 * so activity always lands inside the idle window (a fixed minute would let it lapse mid-use).
 */
const MAX_TOUCH_INTERVAL_MS = 60_000;

export function touchIntervalMs(idleSeconds: number): number {
  return Math.min(MAX_TOUCH_INTERVAL_MS, Math.floor((idleSeconds * 1000) / 4));
}

export interface SessionCheck {
  session: SessionRow;
  identity: IdentitySnapshot | null;
}

export class UserState extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.createTables();
  }

  private createTables(): void {
    createSessionTable(this.sql);
    // Challenge accounting moved to the Limiter shards; objects of earlier versions may still hold it.
    this.sql.exec("DROP TABLE IF EXISTS challenges");
    this.sql.exec("DROP TABLE IF EXISTS code_failures");
    this.sql.exec("CREATE TABLE IF NOT EXISTS used_recovery_codes (hash TEXT PRIMARY KEY, used_at INTEGER NOT NULL)");
  }

  // ── identity snapshot ──────────────────────────────────────────────────────────────

  /** Replaces the identity snapshot; called after every change to the account's D1 row. */
  putIdentity(identity: IdentitySnapshot | null): void {
    if (identity === null) this.ctx.storage.kv.delete(IDENTITY_KEY);
    else this.ctx.storage.kv.put(IDENTITY_KEY, identity);
  }

  getIdentity(): IdentitySnapshot | null {
    return (this.ctx.storage.kv.get(IDENTITY_KEY) as IdentitySnapshot | undefined) ?? null;
  }

  // ── sessions ───────────────────────────────────────────────────────────────────────

  /** Stores a new session together with the identity snapshot it was issued for. */
  async createSession(session: NewSession, identity: IdentitySnapshot): Promise<void> {
    this.putIdentity(identity);
    insertSession(this.sql, session);
    await this.scheduleAlarm(session.created_at);
  }

  /** Answers a session check: the live session and the identity snapshot, or null. */
  checkSession(secretHash: string, now: number): SessionCheck | null {
    const session = findSessionByHash(this.sql, secretHash);
    if (!session) return null;
    if (!isSessionLive(session, now)) {
      deleteSessionById(this.sql, session.id);
      return null;
    }
    const identity = this.getIdentity();
    // A disabled or deleted account's sessions stop at once, even if revocation were ever missed.
    if (!identity || identity.status !== "active") return null;
    if (now - session.last_seen_at >= touchIntervalMs(session.idle_seconds)) {
      touchSession(this.sql, session.id, now);
      session.last_seen_at = now;
    }
    return { session, identity };
  }

  /** Ends the session with this secret; returns whether one existed. */
  revokeSession(secretHash: string): boolean {
    const session = findSessionByHash(this.sql, secretHash);
    return session ? deleteSessionById(this.sql, session.id) > 0 : false;
  }

  revokeSessionById(id: string): boolean {
    return deleteSessionById(this.sql, id) > 0;
  }

  /** Ends every session (or every one but `keepId`); returns how many ended. */
  revokeAllSessions(keepId: string | null = null): number {
    return deleteSessionsExcept(this.sql, keepId);
  }

  /** Records a new proof of a credential in a live session (recent authentication). */
  markSessionAuthenticated(id: string, now: number): boolean {
    return markSessionAuthenticated(this.sql, id, now);
  }

  listSessions(now: number): SessionRow[] {
    return listSessions(this.sql).filter((s) => isSessionLive(s, now));
  }

  /** Deletes the account's whole state (user deleted). */
  async destroy(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    // The object may be called again (a token of the deleted account): it must answer "no session", not fail.
    this.createTables();
  }

  // ── TOTP ───────────────────────────────────────────────────────────────────────────

  /** Accepts a TOTP time step once: a code (or an earlier one) cannot be replayed. */
  acceptTotpStep(step: number): boolean {
    const last = (this.ctx.storage.kv.get(TOTP_STEP_KEY) as number | undefined) ?? -1;
    if (step <= last) return false;
    this.ctx.storage.kv.put(TOTP_STEP_KEY, step);
    return true;
  }

  /** Marks a recovery code (by hash) used; false if it was used before. */
  consumeRecoveryCode(hash: string, now: number): boolean {
    return this.sql.exec("INSERT OR IGNORE INTO used_recovery_codes (hash, used_at) VALUES (?, ?)", hash, now).rowsWritten > 0;
  }

  /** Forgets TOTP state (TOTP disabled or re-enrolled). */
  resetTotpState(): void {
    this.ctx.storage.kv.delete(TOTP_STEP_KEY);
    this.sql.exec("DELETE FROM used_recovery_codes");
  }

  // ── housekeeping ───────────────────────────────────────────────────────────────────

  private async scheduleAlarm(now: number): Promise<void> {
    const next = pruneSessions(this.sql, now);
    if (next === null) return;
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > next) await this.ctx.storage.setAlarm(next);
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    const next = pruneSessions(this.sql, now);
    if (next !== null) await this.ctx.storage.setAlarm(Math.max(next, now + 1000));
  }
}
