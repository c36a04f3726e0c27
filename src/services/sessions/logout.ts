import type { Ctx } from "../../context";
import { recordAudit } from "../audit/record";
import { revokeAllSessions, revokeSessionToken, userPrincipal } from "./sessions";

export interface PresentedSession {
  principalId: string;
  sessionId: string;
  siteKey: string;
  /** The token the request presented: exactly this session ends. */
  token: string;
}

/** Ends the user's current session (or, with `all`, every one of theirs) and records it. */
export async function logoutUser(ctx: Ctx, session: PresentedSession, all: boolean): Promise<void> {
  if (all) await revokeAllSessions(ctx, userPrincipal(session.principalId));
  else await revokeSessionToken(ctx, session.token, "user");
  await recordAudit(ctx, {
    actor: { type: "user", id: session.principalId },
    action: all ? "session.logout_all" : "session.logout",
    target: { type: "user", id: session.principalId },
    siteKey: session.siteKey,
    details: { session_id: session.sessionId },
  });
}
