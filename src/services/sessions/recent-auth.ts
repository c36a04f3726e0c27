import type { Ctx } from "../../context";
import { verifyPassword } from "../../crypto/password-hash";
import { AppError } from "../../lib/errors";
import { recordAudit } from "../audit/record";
import { clearUserVerify, reserveUserVerify } from "../limits/login";
import { checkPasskeyAssertion } from "../passkeys/assertion";
import { assertPasskeysEnabled, passkeyError } from "../passkeys/policy";
import { resolveSite } from "../sites/resolve";
import { acceptSecondFactorCode } from "../users/totp";
import { hashOptions } from "../users/passwords";
import { userPrincipal } from "./sessions";

// Recent authentication. A session records when the user last proved a credential in it
// (`authenticated_at`: set when the session starts, since every session starts right after a
// password, code or passkey; moved forward by auth_reauthenticate). Routes that change how the account
// signs in (adding a passkey) require that proof to be at most RECENT_AUTH_MS old, so a stolen or
// forgotten-open session cannot enrol an attacker's authenticator.

export const RECENT_AUTH_MS = 10 * 60_000;

/** 403 reauthentication_required unless the session's last proof is recent (`graceMs` extends it, e.g. for a ceremony under way). */
export function assertRecentAuthentication(ctx: Ctx, authenticatedAt: number, graceMs = 0): void {
  if (ctx.now - authenticatedAt > RECENT_AUTH_MS + graceMs) throw new AppError("reauthentication_required");
}

export type ReauthProof = { kind: "password"; password: string } | { kind: "code"; code: string } | { kind: "passkey"; passkey: unknown };

export interface ReauthInput {
  userId: string;
  sessionId: string;
  siteKey: string;
  proof: ReauthProof;
}

/**
 * auth_reauthenticate: the signed-in user proves a credential again (the password; a TOTP or recovery
 * code; or a passkey WITH user verification — possession alone is not the account holder), and the
 * session's authenticated_at becomes now. Wrong proofs are throttled like the TOTP routes (user-verify).
 */
export async function reauthenticate(ctx: Ctx, input: ReauthInput): Promise<number> {
  const user = await ctx.store.users.findById(input.userId);
  if (!user || user.status !== "active") throw new AppError("unauthenticated");
  const method = input.proof.kind;
  const fail = async (err: AppError): Promise<never> => {
    await recordAudit(ctx, { actor: { type: "user", id: user.id }, action: "session.reauthenticate", target: { type: "user", id: user.id }, siteKey: input.siteKey, outcome: "failure", details: { method, reason: err.code } });
    throw err;
  };
  await reserveUserVerify(ctx, user.id);
  if (input.proof.kind === "password") {
    const ok = user.passwordHash ? await verifyPassword(input.proof.password, user.passwordHash, hashOptions(ctx)) : false;
    if (!ok) await fail(new AppError("invalid_credentials", { message: "The password is incorrect." }));
  } else if (input.proof.kind === "code") {
    if ((await acceptSecondFactorCode(ctx, user, input.proof.code)) === null) await fail(new AppError("invalid_code"));
  } else {
    const site = await resolveSite(ctx, input.siteKey);
    assertPasskeysEnabled(site);
    const checked = await checkPasskeyAssertion(ctx, { site, response: input.proof.passkey, purpose: "authenticate", requireUserVerification: true });
    if (!checked.ok) await fail(passkeyError(checked));
    else if (checked.value.userId !== user.id) await fail(new AppError("passkey_not_found"));
  }
  await clearUserVerify(ctx, user.id);
  if (!(await ctx.store.sessions.markAuthenticated(userPrincipal(user.id), input.sessionId, ctx.now))) throw new AppError("unauthenticated");
  await recordAudit(ctx, { actor: { type: "user", id: user.id }, action: "session.reauthenticate", target: { type: "user", id: user.id }, siteKey: input.siteKey, details: { method } });
  return ctx.now;
}
