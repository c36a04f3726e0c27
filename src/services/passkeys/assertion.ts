import type { Ctx } from "../../context";
import type { ResolvedSite } from "../../lib/types";
import type { PasskeyForSignIn } from "../../store/passkeys";
import { auditStatement } from "../audit/record";
import { type VerifiedPasskeyAuthentication, verifyPasskeyAuthentication } from "./authentication";
import { relyingParty } from "./relying-party";
import { type PasskeyFailure, type PasskeyResult, passkeyFailure, passkeyOk } from "./types";

// One passkey assertion checked for a flow (sign-in, second factor, re-authentication): the ceremony
// (challenge used up, origin, RP ID, owner, signature, counter), then the use recorded. A counter
// that did not increase is a possibly cloned authenticator (WebAuthn §6.1.1): the assertion is
// refused, the passkey flagged (refused from then on until removed) and the event audited, in one batch.

export interface CheckedAssertion extends VerifiedPasskeyAuthentication<PasskeyForSignIn> {
  /** What the session records: "passkey", "hwk" for a device-bound key, "uv" when the user was verified. */
  factors: string[];
}

async function flagRegression(ctx: Ctx, site: ResolvedSite, failure: PasskeyFailure): Promise<void> {
  const passkeyId = typeof failure.audit?.passkey_id === "string" ? failure.audit.passkey_id : null;
  const userId = typeof failure.audit?.user_id === "string" ? failure.audit.user_id : null;
  if (!passkeyId) return;
  await ctx.store.batch([
    ctx.store.passkeys.flag(passkeyId, ctx.now),
    auditStatement(ctx, {
      actor: { type: "anonymous" },
      action: "passkey.counter_regressed",
      target: userId ? { type: "user", id: userId } : undefined,
      siteKey: site.site_key,
      outcome: "denied",
      details: { ...failure.audit },
    }),
  ]);
}

/** The factors a verified assertion proves (session factors; later the amr claim). */
function factorsOf(passkey: PasskeyForSignIn, userVerified: boolean): string[] {
  const factors = ["passkey"];
  if (passkey.deviceType === "singleDevice") factors.push("hwk");
  if (userVerified) factors.push("uv");
  return factors;
}

export async function checkPasskeyAssertion(
  ctx: Ctx,
  input: { site: ResolvedSite; response: unknown; purpose: "authenticate" | "factor"; requireUserVerification?: boolean },
): Promise<PasskeyResult<CheckedAssertion>> {
  const rp = relyingParty(ctx, input.site);
  const result = await verifyPasskeyAuthentication(ctx, {
    rp,
    response: input.response,
    siteKey: input.site.site_key,
    purpose: input.purpose,
    findPasskey: (credentialId) => ctx.store.passkeys.findForSignIn(credentialId),
    requireUserVerification: input.requireUserVerification ?? false,
  });
  if (!result.ok) {
    if (result.code === "passkey_counter_regressed") await flagRegression(ctx, input.site, result);
    return result;
  }
  const v = result.value;
  // Conditional on the stored counter still being lower: two sign-ins racing with one counter value
  // (a clone used beside the original) cannot both succeed, and the second is treated as a regression.
  if (!(await ctx.store.passkeys.recordUse({ id: v.passkeyId, counter: v.newCounter, backedUp: v.backedUp, now: ctx.now }))) {
    const failure = passkeyFailure("passkey_counter_regressed", `counter ${v.newCounter} was already used`, {
      passkey_id: v.passkeyId,
      user_id: v.userId,
      stored_counter: v.passkey.signCounter,
      presented_counter: v.newCounter,
      already_flagged: false,
      race: true,
    });
    await flagRegression(ctx, input.site, failure);
    return failure;
  }
  return passkeyOk({ ...v, factors: factorsOf(v.passkey, v.userVerified) });
}
