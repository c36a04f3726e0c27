import type { PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/server";
import type { Ctx } from "../../context";
import { AppError } from "../../lib/errors";
import type { ResolvedSite } from "../../lib/types";
import type { ChallengeRecord } from "../../store/challenges";
import type { UserRow } from "../../store/users";
import { settleChallengeAttempt } from "../challenges/challenges";
import { checkPasskeyAssertion } from "../passkeys/assertion";
import { createPasskeyAuthenticationOptions } from "../passkeys/authentication";
import { issuePasskeyChallenge } from "../passkeys/challenges";
import { passkeyError, passkeysEnabled } from "../passkeys/policy";
import { isRelyingPartyConfigured, relyingParty } from "../passkeys/relying-party";
import { type PasskeyFailure, passkeyFailure } from "../passkeys/types";
import type { LoginChallengeData, PasskeyChoice } from "./challenge";

// A passkey as the second factor of a sign-in whose first factor is proven (issue 21, item 4). The
// login challenge (KV record + Limiter accounting, as for codes) carries the id of a WebAuthn
// challenge of purpose "factor" bound to the user and the site; auth_factor_verify accepts an
// assertion for exactly that challenge, counted against the login challenge's attempts like a code.

export interface PasskeyFactorOptions {
  options: PublicKeyCredentialRequestOptionsJSON;
  /** Hex SHA-256 of the WebAuthn challenge (kept in the login challenge's data). */
  challengeId: string;
}

/** Whether a second factor for this user on this site may be a passkey (one D1 read, only where 2FA can apply). */
export async function passkeyChoiceFor(ctx: Ctx, site: ResolvedSite, user: UserRow): Promise<PasskeyChoice> {
  if (site.policy.twofa_mode === "off" || !passkeysEnabled(site) || !isRelyingPartyConfigured(ctx.config)) return { available: false, preferred: false };
  const descriptors = await ctx.store.passkeys.listDescriptors(user.id);
  return { available: descriptors.length > 0, preferred: site.policy.passkey_mode === "preferred" };
}

/** Request options for the user's passkeys and the challenge behind them; null when the user has none (any more). */
export async function issuePasskeyFactorOptions(ctx: Ctx, input: { site: ResolvedSite; user: UserRow }): Promise<PasskeyFactorOptions | null> {
  if (!passkeysEnabled(input.site) || !isRelyingPartyConfigured(ctx.config)) return null;
  const descriptors = await ctx.store.passkeys.listDescriptors(input.user.id);
  if (descriptors.length === 0) return null;
  const issued = await issuePasskeyChallenge(ctx, { purpose: "factor", subject: { kind: "user", userId: input.user.id }, siteKey: input.site.site_key });
  const options = await createPasskeyAuthenticationOptions({ rp: relyingParty(ctx, input.site), challenge: issued.challenge, allowCredentials: descriptors });
  return { options, challengeId: issued.id };
}

/**
 * Checks a passkey assertion against a login challenge that offers "passkey": the factors it proves,
 * or an error. A failed assertion costs one of the challenge's attempts (and counts toward the
 * account's hourly cap) and answers its own passkey code with attempts_remaining.
 */
export async function verifyPasskeyFactor(ctx: Ctx, input: { record: ChallengeRecord; data: LoginChallengeData; site: ResolvedSite; user: UserRow | null; response: unknown }): Promise<string[]> {
  const { record, data, user } = input;
  if (!data.choices.includes("passkey") || !data.passkey_challenge) {
    throw new AppError("factor_not_allowed", { fields: { passkey: `Allowed: ${data.choices.join(", ")}` } });
  }
  let failure: PasskeyFailure | null = null;
  let factors: string[] = [];
  if (!user) failure = passkeyFailure("passkey_not_found", "no active user behind the challenge");
  else {
    const checked = await checkPasskeyAssertion(ctx, { site: input.site, response: input.response, purpose: "factor" });
    if (!checked.ok) failure = checked;
    else if (checked.value.challenge.id !== data.passkey_challenge) failure = passkeyFailure("passkey_challenge_invalid", "assertion for another login challenge");
    else if (checked.value.userId !== user.id) failure = passkeyFailure("passkey_not_found", "passkey of another user");
    else factors = checked.value.factors;
  }
  try {
    await settleChallengeAttempt(ctx, record, failure === null, { consume: true });
  } catch (err) {
    // A wrong attempt answers the passkey's own code; an exhausted, expired or locked challenge its own.
    if (failure && err instanceof AppError && err.code === "invalid_code") throw new AppError(failure.code, { extra: err.extra });
    throw err;
  }
  if (failure) throw passkeyError(failure);
  return factors;
}
