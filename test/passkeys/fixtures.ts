import { generateId } from "../../src/crypto/random";
import { type PasskeyChallengeSubject, issuePasskeyChallenge } from "../../src/services/passkeys/challenges";
import { allowCredentialsForEmail } from "../../src/services/passkeys/fake-credentials";
import { createPasskeyAuthenticationOptions } from "../../src/services/passkeys/authentication";
import { createPasskeyRegistrationOptions, verifyPasskeyRegistration } from "../../src/services/passkeys/registration";
import type { PasskeyDescriptor, RelyingParty } from "../../src/services/passkeys/types";
import { verifyPasskeyAuthentication } from "../../src/services/passkeys/authentication";
import { generateUserHandle } from "../../src/services/passkeys/user-handle";
import { ensureUserHandle, findPasskeyByCredentialId, insertPasskey, listPasskeyDescriptors } from "../../src/store/passkeys";
import { schema } from "../../src/store/db";
import { db, testCtx } from "../helpers";
import { type CeremonyOverrides, SoftAuthenticator } from "./soft-authenticator";

// The passkey ceremonies wired the way a route will wire them: real D1 (passkeys, user handles),
// real Limiter shards for the challenges, the software authenticator as the browser. Each call
// builds its request context now, so a moved clock (vi.setSystemTime) applies.

export const RP: RelyingParty = { id: "auth.test", name: "Auth2 Test", origins: ["https://auth.test", "https://app.auth.test"] };
export const ORIGIN = "https://auth.test";
export const SITE = "passkey-site";
export const DECOY_KEY = "test-passkey-decoy-key";

export interface TestUser {
  id: string;
  email: string;
}

export async function createUser(email = `${generateId(6)}@passkeys.test`): Promise<TestUser> {
  const id = `usr_${generateId(8)}`;
  const now = Date.now();
  await db().insert(schema.users).values({ id, email, name: "Passkey User", status: "active", emailVerified: true, createdAt: now, updatedAt: now });
  return { id, email };
}

/** Registration options for `user` (issues the challenge, creates the user handle). */
export async function registrationOptions(user: TestUser, siteKey = SITE) {
  const now = Date.now();
  const { challenge } = await issuePasskeyChallenge(testCtx(), { purpose: "register", subject: { kind: "user", userId: user.id }, siteKey });
  const userHandle = await ensureUserHandle(db(), { userId: user.id, candidate: generateUserHandle(), now });
  const excludeCredentials = await listPasskeyDescriptors(db(), user.id);
  return createPasskeyRegistrationOptions({ rp: RP, user: { userHandle, name: user.email, displayName: "Passkey User" }, challenge, excludeCredentials });
}

export function verifyRegistration(user: TestUser, response: unknown, extra: { siteKey?: string; requireUserVerification?: boolean } = {}) {
  return verifyPasskeyRegistration(testCtx(), {
    rp: RP,
    response,
    userId: user.id,
    siteKey: extra.siteKey ?? SITE,
    requireUserVerification: extra.requireUserVerification ?? false,
  });
}

/** The full registration: options → authenticator → verify → insert. Returns the stored passkey id. */
export async function registerPasskey(user: TestUser, authenticator: SoftAuthenticator, overrides: CeremonyOverrides = {}): Promise<string> {
  const options = await registrationOptions(user);
  const response = await authenticator.register(options, { origin: ORIGIN, ...overrides });
  const verified = await verifyRegistration(user, response);
  if (!verified.ok) throw new Error(`registration failed: ${verified.code} ${verified.reason}`);
  const stored = await insertPasskey(db(), { userId: user.id, ...verified.value, name: "Test passkey", now: Date.now() });
  if (!stored.ok) throw new Error("duplicate credential");
  return stored.id;
}

/** Sign-in options: discoverable (no email) or for an email (a real user's or nobody's). */
export async function authenticationOptions(input: { email?: string; userId?: string | null; siteKey?: string } = {}) {
  let subject: PasskeyChallengeSubject = { kind: "any" };
  let allowCredentials: PasskeyDescriptor[] = [];
  if (input.email !== undefined) {
    const userId = input.userId ?? null;
    subject = userId ? { kind: "user", userId } : { kind: "nobody" };
    const real = userId ? await listPasskeyDescriptors(db(), userId) : [];
    allowCredentials = allowCredentialsForEmail(real, DECOY_KEY, input.email);
  }
  const { challenge } = await issuePasskeyChallenge(testCtx(), { purpose: "authenticate", subject, siteKey: input.siteKey ?? SITE });
  return createPasskeyAuthenticationOptions({ rp: RP, challenge, allowCredentials });
}

export function verifyAuthentication(response: unknown, extra: { siteKey?: string; requireUserVerification?: boolean } = {}) {
  return verifyPasskeyAuthentication(testCtx(), {
    rp: RP,
    response,
    siteKey: extra.siteKey ?? SITE,
    findPasskey: (credentialId) => findPasskeyByCredentialId(db(), credentialId),
    requireUserVerification: extra.requireUserVerification ?? false,
  });
}
