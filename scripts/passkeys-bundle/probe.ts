import { createContext } from "../../src/context";
import type { Env } from "../../src/env";
import { generateId } from "../../src/crypto/random";
import { createPasskeyAuthenticationOptions, verifyPasskeyAuthentication } from "../../src/services/passkeys/authentication";
import { issuePasskeyChallenge } from "../../src/services/passkeys/challenges";
import { allowCredentialsForEmail } from "../../src/services/passkeys/fake-credentials";
import { createPasskeyRegistrationOptions, verifyPasskeyRegistration } from "../../src/services/passkeys/registration";
import type { PasskeyResult, RelyingParty } from "../../src/services/passkeys/types";
import { generateUserHandle } from "../../src/services/passkeys/user-handle";
import { createDb, schema } from "../../src/store/db";
import { ensureUserHandle, findPasskeyByCredentialId, insertPasskey, listPasskeyDescriptors, recordPasskeyUse } from "../../src/store/passkeys";
import { type SoftAlgorithm, SoftAuthenticator, fromB64u, toB64u } from "../../test/passkeys/soft-authenticator";

// Runs inside the bundled Worker on workerd: the real passkey modules, the real D1 tables and
// Limiter shards, @simplewebauthn/server as wrangler bundled it, WebCrypto only. Each step
// records what it expected and what it got; the check script fails on any mismatch.

const RP: RelyingParty = { id: "auth.probe.test", name: "Auth2 bundle probe", origins: ["https://auth.probe.test"] };
const ORIGIN = "https://auth.probe.test";
const SITE = "bundle-probe";

export interface ProbeStep {
  step: string;
  expected: string;
  got: string;
}

function outcome(result: PasskeyResult<unknown>): string {
  return result.ok ? "ok" : `${result.code} (${result.reason})`;
}

export async function runPasskeyProbe(env: Env): Promise<{ ok: boolean; steps: ProbeStep[] }> {
  const db = createDb(env.DB);
  // A fresh request context per step, as each request would build one (its clock is read then).
  const ctx = () => createContext(env, { meta: { requestId: "probe", ip: "", userAgent: "probe" }, waitUntil: null });
  const steps: ProbeStep[] = [];
  const record = (step: string, expected: string, got: string) => steps.push({ step, expected, got });
  const userId = `usr_probe_${generateId(6)}`;
  const now = Date.now();
  await db.insert(schema.users).values({ id: userId, email: `${userId}@probe.test`, status: "active", createdAt: now, updatedAt: now });
  const userHandle = await ensureUserHandle(db, { userId, candidate: generateUserHandle(), now });

  const register = async (authenticator: SoftAuthenticator, overrides: Parameters<SoftAuthenticator["register"]>[1] = {}) => {
    const { challenge } = await issuePasskeyChallenge(ctx(), { purpose: "register", subject: { kind: "user", userId }, siteKey: SITE });
    const options = await createPasskeyRegistrationOptions({ rp: RP, user: { userHandle, name: `${userId}@probe.test`, displayName: "Probe" }, challenge, excludeCredentials: await listPasskeyDescriptors(db, userId) });
    const response = await authenticator.register(options, { origin: ORIGIN, ...overrides });
    return { response, verify: (r: unknown = response) => verifyPasskeyRegistration(ctx(), { rp: RP, response: r, userId, siteKey: SITE }) };
  };
  const signIn = async (authenticator: SoftAuthenticator, overrides: Parameters<SoftAuthenticator["authenticate"]>[1] = {}) => {
    const { challenge } = await issuePasskeyChallenge(ctx(), { purpose: "authenticate", subject: { kind: "any" }, siteKey: SITE });
    const assertion = await authenticator.authenticate(await createPasskeyAuthenticationOptions({ rp: RP, challenge, allowCredentials: [] }), { origin: ORIGIN, ...overrides });
    const verify = (a: unknown = assertion) =>
      verifyPasskeyAuthentication(ctx(), { rp: RP, response: a, siteKey: SITE, findPasskey: (id) => findPasskeyByCredentialId(db, id) });
    return { assertion, verify };
  };

  for (const [algorithm, attestation] of [["ES256", "none"], ["ES256", "packed-self"], ["EdDSA", "none"], ["RS256", "none"]] as [SoftAlgorithm, "none" | "packed-self"][]) {
    const label = `${algorithm}/${attestation}`;
    const authenticator = new SoftAuthenticator({ algorithm, attestation });
    const reg = await register(authenticator);
    const verified = await reg.verify();
    record(`register ${label}`, "ok", outcome(verified));
    if (!verified.ok) continue;
    const stored = await insertPasskey(db, { userId, ...verified.value, name: label, now: Date.now() });
    record(`store ${label}`, "ok", stored.ok ? "ok" : stored.reason);
    const { assertion, verify } = await signIn(authenticator);
    const result = await verify();
    record(`sign in ${label}`, `ok user=${userId} uv=true counter=1`, result.ok ? `ok user=${result.value.userId} uv=${result.value.userVerified} counter=${result.value.newCounter}` : outcome(result));
    if (result.ok && stored.ok) await recordPasskeyUse(db, { id: stored.id, counter: result.value.newCounter, backedUp: result.value.backedUp, now: Date.now() });
    const replay = await verify(assertion);
    record(`replay ${label}`, "passkey_challenge_invalid", replay.ok ? "ok" : replay.code);
  }

  const es256 = new SoftAuthenticator();
  const enrolled = await (await register(es256)).verify();
  const stored = enrolled.ok ? await insertPasskey(db, { userId, ...enrolled.value, name: "counter", now: Date.now() }) : null;
  const at10 = await (await signIn(es256, { counter: 10 })).verify();
  if (at10.ok && stored?.ok) await recordPasskeyUse(db, { id: stored.id, counter: 10, backedUp: true, now: Date.now() });
  record("sign in at counter 10", "ok", outcome(at10));
  const regressed = await (await signIn(es256, { counter: 4 })).verify();
  record("counter goes backwards", "passkey_counter_regressed", regressed.ok ? "ok" : regressed.code);
  const foreign = await (await signIn(es256, { origin: "https://evil.test" })).verify();
  record("another origin", "passkey_origin_invalid", foreign.ok ? "ok" : foreign.code);

  const broken = await register(new SoftAuthenticator());
  const garbage = { ...broken.response, response: { ...broken.response.response, attestationObject: toB64u(fromB64u(broken.response.response.attestationObject).slice(0, 30)) } };
  const malformed = await broken.verify(garbage);
  record("malformed CBOR attestation object", "passkey_invalid", malformed.ok ? "ok" : malformed.code);

  const decoys = allowCredentialsForEmail([], "probe-decoy-key", "nobody@probe.test");
  record("options for an unknown email", "non-empty", decoys.length > 0 ? "non-empty" : "empty");

  return { ok: steps.every((s) => s.expected === s.got), steps };
}
