import {
  type PublicKeyCredentialCreationOptionsJSON,
  type VerifiedRegistrationResponse,
  generateRegistrationOptions,
  verifyRegistrationResponse,
} from "@simplewebauthn/server";
import type { Ctx } from "../../context";
import { fromBase64, toBase64Url } from "../../crypto/encoding";
import { checkCeremony } from "./ceremony-checks";
import { PASSKEY_CHALLENGE_TTL_MS, consumePasskeyChallenge } from "./challenges";
import { checkCredentialPublicKey } from "./public-key";
import { parseRegistrationResponse } from "./response";
import { type NewPasskey, type PasskeyDescriptor, type PasskeyResult, type RelyingParty, knownTransports, passkeyFailure, passkeyOk } from "./types";
import { userHandleBytes } from "./user-handle";

/** Ed25519, ES256, RS256: what passkey providers and security keys use; nothing with SHA-1. */
export const PASSKEY_ALGORITHMS = [-8, -7, -257];

export interface PasskeyRegistrationOptionsInput {
  rp: RelyingParty;
  user: {
    /** The user's WebAuthn user handle (base64url), never the auth_user_id. */
    userHandle: string;
    /** Shown in account pickers: the email. */
    name: string;
    displayName: string;
  };
  /** From issuePasskeyChallenge(ctx, { purpose: "register", subject: { kind: "user", userId } }). */
  challenge: string;
  /** The user's passkeys, so an authenticator that holds one already says so instead of adding another. */
  excludeCredentials: readonly PasskeyDescriptor[];
}

/** PublicKeyCredentialCreationOptionsJSON for navigator.credentials.create / startRegistration. */
export async function createPasskeyRegistrationOptions(input: PasskeyRegistrationOptionsInput): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    rpName: input.rp.name,
    rpID: input.rp.id,
    userName: input.user.name,
    userDisplayName: input.user.displayName,
    userID: new Uint8Array(userHandleBytes(input.user.userHandle)),
    // Bytes, not the string: a string would be UTF-8 encoded again and no longer match.
    challenge: new Uint8Array(fromBase64(input.challenge)),
    timeout: PASSKEY_CHALLENGE_TTL_MS,
    attestationType: "none",
    excludeCredentials: input.excludeCredentials.map((c) => ({ id: c.credentialId, transports: knownTransports(c.transports) })),
    authenticatorSelection: { residentKey: "preferred", userVerification: "preferred" },
    supportedAlgorithmIDs: PASSKEY_ALGORITHMS,
  });
}

export interface VerifyPasskeyRegistrationInput {
  rp: RelyingParty;
  /** The browser's RegistrationResponseJSON, unvalidated. */
  response: unknown;
  /** The signed-in user registering the passkey. */
  userId: string;
  siteKey: string;
  /** Refuse a passkey registered without user verification (default false: UV is "preferred"). */
  requireUserVerification?: boolean;
}

async function runVerifier(json: Parameters<typeof verifyRegistrationResponse>[0]): Promise<VerifiedRegistrationResponse | Error> {
  try {
    return await verifyRegistrationResponse(json);
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

/**
 * Verifies a registration: the challenge (used up here), origin, RP ID, attestation and key. Returns
 * what to store; the caller inserts it (ctx.store.passkeys.insert, which leaves a credential id
 * that is already registered alone).
 */
export async function verifyPasskeyRegistration(ctx: Ctx, input: VerifyPasskeyRegistrationInput): Promise<PasskeyResult<NewPasskey>> {
  const parsed = parseRegistrationResponse(input.response);
  if (!parsed.ok) return parsed;
  const { json, clientData, rpIdHash, transports } = parsed.value;
  const challenge = await consumePasskeyChallenge(ctx, { challenge: clientData.challenge, purpose: "register", siteKey: input.siteKey, userId: input.userId });
  if (!challenge.ok) return challenge;
  const checked = checkCeremony(input.rp, clientData, rpIdHash, "webauthn.create");
  if (!checked.ok) return checked;
  const result = await runVerifier({
    response: json,
    expectedChallenge: clientData.challenge,
    expectedOrigin: [...input.rp.origins],
    expectedRPID: input.rp.id,
    // UV is decided below with its own code; presence (UP) stays required by the library.
    requireUserVerification: false,
    supportedAlgorithmIDs: PASSKEY_ALGORITHMS,
  });
  if (result instanceof Error) return passkeyFailure("passkey_invalid", `registration did not verify: ${result.message}`);
  if (!result.verified) return passkeyFailure("passkey_invalid", "attestation statement did not verify");
  const info = result.registrationInfo;
  // The library takes the id from the authenticator data; the browser's id must be the same one,
  // or later sign-ins would look up a credential that was never stored.
  if (info.credential.id !== json.id) return passkeyFailure("passkey_invalid", "credential id differs from the authenticator data's");
  const usable = await checkCredentialPublicKey(info.credential.publicKey);
  if (!usable.ok) return usable;
  if (input.requireUserVerification && !info.userVerified) return passkeyFailure("passkey_user_verification_required", "authenticator did not verify the user");
  return passkeyOk({
    credentialId: info.credential.id,
    publicKey: toBase64Url(info.credential.publicKey),
    signCounter: info.credential.counter,
    transports,
    backedUp: info.credentialBackedUp,
    deviceType: info.credentialDeviceType,
    aaguid: info.aaguid,
    userVerified: info.userVerified,
  });
}
