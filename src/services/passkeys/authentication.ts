import {
  type PublicKeyCredentialRequestOptionsJSON,
  type VerifiedAuthenticationResponse,
  generateAuthenticationOptions,
  verifyAuthenticationResponse,
} from "@simplewebauthn/server";
import type { Ctx } from "../../context";
import { fromBase64 } from "../../crypto/encoding";
import { checkCeremony } from "./ceremony-checks";
import { PASSKEY_CHALLENGE_TTL_MS, type PasskeyChallengeRow, challengeAllowsUser, consumePasskeyChallenge } from "./challenges";
import { isSignCounterRegression } from "./counter";
import { parseAuthenticationResponse } from "./response";
import { type PasskeyDescriptor, type PasskeyResult, type RelyingParty, type StoredPasskey, knownTransports, passkeyFailure, passkeyOk } from "./types";

export interface PasskeyAuthenticationOptionsInput {
  rp: RelyingParty;
  /** From issuePasskeyChallenge(ctx, { purpose: "authenticate" | "factor", subject }). */
  challenge: string;
  /** [] for a discoverable sign-in; for an email, allowCredentialsForEmail (never empty). */
  allowCredentials: readonly PasskeyDescriptor[];
}

/** PublicKeyCredentialRequestOptionsJSON for navigator.credentials.get / startAuthentication. */
export async function createPasskeyAuthenticationOptions(input: PasskeyAuthenticationOptionsInput): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({
    rpID: input.rp.id,
    challenge: new Uint8Array(fromBase64(input.challenge)),
    timeout: PASSKEY_CHALLENGE_TTL_MS,
    userVerification: "preferred",
    allowCredentials: input.allowCredentials.map((c) => ({ id: c.credentialId, transports: knownTransports(c.transports) })),
  });
}

export interface VerifyPasskeyAuthenticationInput<P extends StoredPasskey> {
  rp: RelyingParty;
  /** The browser's AuthenticationResponseJSON, unvalidated. */
  response: unknown;
  siteKey: string;
  /** "authenticate" (sign-in, the default) or "factor" (the second factor of a proven sign-in). */
  purpose?: "authenticate" | "factor";
  /** Looks a credential up by its base64url id (ctx.store.passkeys.findForSignIn). */
  findPasskey: (credentialId: string) => Promise<P | null>;
  /** Refuse an assertion without user verification (e.g. a passkey as the only factor where 2FA is required). */
  requireUserVerification?: boolean;
}

export interface VerifiedPasskeyAuthentication<P extends StoredPasskey = StoredPasskey> {
  /** The stored passkey that answered (as findPasskey returned it). */
  passkey: P;
  /** The challenge it answered (its binding: user, site, when). */
  challenge: PasskeyChallengeRow;
  passkeyId: string;
  credentialId: string;
  userId: string;
  /** The UV flag: the authenticator verified the user (PIN, biometrics): multi-factor. */
  userVerified: boolean;
  /** Store it with recordPasskeyUse, together with backedUp and the time. */
  newCounter: number;
  backedUp: boolean;
}

async function runVerifier(options: Parameters<typeof verifyAuthenticationResponse>[0]): Promise<VerifiedAuthenticationResponse | Error> {
  try {
    return await verifyAuthenticationResponse(options);
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

/**
 * Verifies a sign-in assertion: the challenge (used up here, whatever follows), origin, RP ID, the
 * credential and its owner, the signature, then the counter and user verification.
 */
export async function verifyPasskeyAuthentication<P extends StoredPasskey>(
  ctx: Ctx,
  input: VerifyPasskeyAuthenticationInput<P>,
): Promise<PasskeyResult<VerifiedPasskeyAuthentication<P>>> {
  const parsed = parseAuthenticationResponse(input.response);
  if (!parsed.ok) return parsed;
  const { json, clientData, rpIdHash, flags, counter, userHandle } = parsed.value;
  const challenge = await consumePasskeyChallenge(ctx, { challenge: clientData.challenge, purpose: input.purpose ?? "authenticate", siteKey: input.siteKey });
  if (!challenge.ok) return challenge;
  const checked = checkCeremony(input.rp, clientData, rpIdHash, "webauthn.get");
  if (!checked.ok) return checked;

  const passkey = await input.findPasskey(json.id);
  if (!passkey) return passkeyFailure("passkey_not_found", "no passkey with this credential id");
  // The same answer as an unknown credential: nobody learns that the passkey exists for someone else.
  if (!challengeAllowsUser(challenge.value, passkey.userId)) {
    return passkeyFailure("passkey_not_found", "passkey of another user than the challenge's", {
      passkey_id: passkey.id,
      passkey_user_id: passkey.userId,
      expected_user_id: challenge.value.userId,
    });
  }
  // §7.2 step 6: a discoverable sign-in identifies the user by the handle, which must be the
  // credential owner's; when present in any flow, it must match too.
  if (challenge.value.anyUser && userHandle === null) return passkeyFailure("passkey_invalid", "discoverable sign-in without a user handle");
  if (userHandle !== null && userHandle !== passkey.userHandle) return passkeyFailure("passkey_not_found", "user handle is not the credential owner's");

  const result = await runVerifier({
    response: json,
    expectedChallenge: clientData.challenge,
    expectedOrigin: [...input.rp.origins],
    expectedRPID: input.rp.id,
    // Counter 0 switches off the library's counter check, which runs BEFORE the signature check:
    // anyone who knows a credential id could otherwise raise a "cloned authenticator" alarm with an
    // unsigned response. We compare counters below, after the signature is proven.
    credential: { id: passkey.credentialId, publicKey: new Uint8Array(fromBase64(passkey.publicKey)), counter: 0, transports: knownTransports(passkey.transports) },
    requireUserVerification: false,
  });
  if (result instanceof Error) return passkeyFailure("passkey_invalid", `assertion did not verify: ${result.message}`);
  if (!result.verified) return passkeyFailure("passkey_invalid", "signature did not verify");

  // A flagged passkey (an earlier regression) stays refused: which of two copies is the real one is unknown.
  if (passkey.flaggedAt != null || isSignCounterRegression(passkey.signCounter, counter)) {
    return passkeyFailure("passkey_counter_regressed", `counter ${counter} after ${passkey.signCounter}`, {
      passkey_id: passkey.id,
      user_id: passkey.userId,
      stored_counter: passkey.signCounter,
      presented_counter: counter,
      already_flagged: passkey.flaggedAt != null,
    });
  }
  if (input.requireUserVerification && !flags.uv) return passkeyFailure("passkey_user_verification_required", "authenticator did not verify the user");
  return passkeyOk({
    passkey,
    challenge: challenge.value,
    passkeyId: passkey.id,
    credentialId: passkey.credentialId,
    userId: passkey.userId,
    userVerified: flags.uv,
    newCounter: counter,
    backedUp: flags.bs,
  });
}
