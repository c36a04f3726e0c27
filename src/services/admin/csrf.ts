import type { Ctx } from "../../context";
import { constantTimeEqual, hmacHex } from "../../crypto/hmac";

/**
 * The console's CSRF token for an admin session: an HMAC of the session id, so it needs no storage,
 * changes with every session, and cannot be derived without CODE_HMAC_KEY. The console reads it from
 * admin/login or admin/me (same-origin JSON a cross-site page cannot read) and sends it back as
 * X-CSRF-Token on every state-changing call.
 */
export function adminCsrfToken(ctx: Ctx, sessionId: string): string {
  return hmacHex(ctx.secrets.codeKey(), `admin-csrf:${sessionId}`);
}

/** Whether `presented` is the session's CSRF token (compared in constant time). */
export function isAdminCsrfTokenValid(ctx: Ctx, sessionId: string, presented: string | undefined): boolean {
  if (!presented) return false;
  return constantTimeEqual(presented, adminCsrfToken(ctx, sessionId));
}
