import type { Env } from "../env";
import type { SessionRow } from "../durable/session-table";
import { AppError } from "../lib/errors";
import type { Db } from "../store/db";
import { recordAudit } from "./audit";
import { revokeAllSessions, revokeSessionId } from "./sessions";
import { userStateStub } from "./user-state";
import { type AdminContext, requireUser } from "./user-registry";

// An administrator sees a user's live sessions and ends one or all of them without touching the
// account (ASVS 5.0 7.4.x): e.g. a lost laptop, or a session the user does not recognise.

export interface SessionView {
  id: string;
  site_key: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  /** When it ends if unused from now on (idle timeout), or at expires_at, whichever is first. */
  idle_expires_at: string;
  ip: string;
  user_agent: string;
  factors: string[];
}

const iso = (ms: number) => new Date(ms).toISOString();

export function toSessionView(s: SessionRow): SessionView {
  return {
    id: s.id,
    site_key: s.site_key,
    created_at: iso(s.created_at),
    last_seen_at: iso(s.last_seen_at),
    expires_at: iso(s.expires_at),
    idle_expires_at: iso(Math.min(s.expires_at, s.last_seen_at + s.idle_seconds * 1000)),
    ip: s.ip,
    user_agent: s.user_agent,
    factors: s.factors,
  };
}

/** The user's live sessions, oldest first (404 user_not_found for an unknown id). */
export async function listUserSessions(env: Env, db: Db, userId: string, now: number): Promise<SessionView[]> {
  const user = await requireUser(db, userId);
  return (await userStateStub(env, user.id).listSessions(now)).map(toSessionView);
}

/**
 * Ends one session (`sessionId`) or every session of a user; the account stays as it is. Effective on
 * the very next request. Audited with how many ended; 404 session_not_found for an id that is not live.
 */
export async function revokeUserSessions(env: Env, db: Db, input: { auth_user_id: string; session_id?: string | undefined }, ctx: AdminContext): Promise<number> {
  const user = await requireUser(db, input.auth_user_id);
  const revoked = input.session_id !== undefined
    ? (await revokeSessionId(env, "user", user.id, input.session_id)) ? 1 : 0
    : await revokeAllSessions(env, "user", user.id);
  if (input.session_id !== undefined && revoked === 0) throw new AppError("session_not_found");
  await recordAudit(
    db,
    {
      actor: { type: "admin", id: ctx.adminId },
      action: "user.sessions_revoke",
      target: { type: "user", id: user.id },
      details: input.session_id !== undefined ? { session_id: input.session_id, revoked } : { all: true, revoked },
    },
    ctx.meta,
  );
  return revoked;
}
