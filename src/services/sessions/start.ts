import type { Ctx } from "../../context";
import type { ResolvedSite } from "../../lib/types";
import type { NewUserRow, UserRow } from "../../store/users";
import { type AuditEvent, auditStatement } from "../audit/record";
import { type Identity, toIdentity } from "../users/identity";
import { type IssuedSession, createSession, revokeSessionId, userPrincipal } from "./sessions";

export interface StartSessionInput {
  user: UserRow;
  site: ResolvedSite;
  /** Factors the user proved, in order: e.g. ["password", "totp"], ["email_otp"]. */
  factors: string[];
  /** Further changes to the user's row, committed together with last_login_at (e.g. a rehashed password). */
  patch?: Partial<NewUserRow>;
  /** Audit row committed in the same D1 batch. */
  audit?: AuditEvent;
}

export interface StartedSession {
  session: IssuedSession;
  user: Identity;
}

/**
 * Signs a user in: a brand-new session in the user's Durable Object with the site's TTL and idle
 * timeout, last_login_at recorded, and the identity snapshot refreshed. Every flow that ends in a
 * session (login, factor verify, onboarding, legacy registration) goes through here; the route sets
 * the cookie (routes/session-issue.ts).
 */
export async function startUserSession(ctx: Ctx, input: StartSessionInput): Promise<StartedSession> {
  const { user, site } = input;
  // Callers check this before; a session for an account that cannot sign in must never exist.
  if (user.status !== "active") throw new Error("startUserSession: account is not active");
  const patch: Partial<NewUserRow> = { ...input.patch, lastLoginAt: ctx.now };
  const updated: UserRow = { ...user, ...patch } as UserRow;
  const identity = toIdentity(updated, ctx.config.publicBaseUrl);
  // The session first, then its records: if the D1 write fails, the session (whose token nobody has
  // received) is ended again, so a failed sign-in never leaves a live session without its last_login_at
  // and login.success row, nor a success row without a session.
  const session = await createSession(ctx, {
    kind: "user",
    principalId: user.id,
    siteKey: site.site_key,
    ttlSeconds: site.policy.session_ttl_seconds,
    idleSeconds: site.policy.idle_timeout_seconds,
    factors: input.factors,
    identity,
  });
  try {
    if (input.audit) await ctx.store.batch([ctx.store.users.update(user.id, patch), auditStatement(ctx, input.audit)]);
    else await ctx.store.users.update(user.id, patch);
  } catch (err) {
    await revokeSessionId(ctx, userPrincipal(user.id), session.id).catch(() => undefined);
    throw err;
  }
  return { session, user: identity };
}
