import type { Ctx } from "../../context";
import type { SessionRow } from "../../durable/session-table";
import { AppError } from "../../lib/errors";
import { recordAudit } from "../audit/record";
import { requireUser } from "../users/registry";
import { revokeAllSessions, revokeSessionId, userPrincipal } from "./sessions";

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
export async function listUserSessions(ctx: Ctx, userId: string): Promise<SessionView[]> {
  const user = await requireUser(ctx, userId);
  return (await ctx.store.sessions.list(userPrincipal(user.id), ctx.now)).map(toSessionView);
}

/**
 * Ends one session (`sessionId`) or every session of a user; the account stays as it is. Effective on
 * the very next request. Audited with how many ended; 404 session_not_found for an id that is not live.
 */
export async function revokeUserSessions(ctx: Ctx, adminId: string, input: { auth_user_id: string; session_id?: string | undefined }): Promise<number> {
  const user = await requireUser(ctx, input.auth_user_id);
  const principal = userPrincipal(user.id);
  const revoked = input.session_id !== undefined
    ? (await revokeSessionId(ctx, principal, input.session_id)) ? 1 : 0
    : await revokeAllSessions(ctx, principal);
  if (input.session_id !== undefined && revoked === 0) throw new AppError("session_not_found");
  await recordAudit(ctx, {
      actor: { type: "admin", id: adminId },
      action: "user.sessions_revoke",
      target: { type: "user", id: user.id },
      details: input.session_id !== undefined ? { session_id: input.session_id, revoked } : { all: true, revoked },
  });
  return revoked;
}
