import type { PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/server";
import type { Ctx } from "../../context";
import { hmacHex } from "../../crypto/hmac";
import { normaliseEmail } from "../../lib/email";
import { AppError } from "../../lib/errors";
import type { ResolvedSite } from "../../lib/types";
import { recordAudit } from "../audit/record";
import { checkEmailThrottle, takeFactorCap, takeLoginCaps } from "../limits/login";
import { issueLoginChallenge, secondFactorFor } from "../login/challenge";
import type { SignInResult } from "../login/sign-in";
import { startUserSession } from "../sessions/start";
import { checkPasskeyAssertion } from "./assertion";
import { createPasskeyAuthenticationOptions } from "./authentication";
import { type PasskeyChallengeSubject, issuePasskeyChallenge } from "./challenges";
import { allowCredentialsForEmail } from "./fake-credentials";
import { assertPasskeysEnabled, passkeyError } from "./policy";
import { relyingParty } from "./relying-party";
import type { PasskeyDescriptor } from "./types";

// Signing in with a passkey (auth_passkey_login_options / _verify). Discoverable (no email: the
// authenticator offers the site's passkeys and the assertion names the user) or with an email, which
// answers alike for every address: an address without usable passkeys (unknown, pending, disabled, or
// none registered) gets stand-in descriptors derived from a keyed hash of it, and a challenge nobody's
// passkey can answer. Throttled like passwords: the per-client and per-site sign-in caps and the
// per-email lock on the options, the per-client factor cap on the verify. The verify ends exactly as
// auth_login does: a session (startUserSession, login.success) or factor_required.

/** The key the stand-in descriptors are derived under: a secret, so nobody can tell them from real ones. */
function decoyKey(ctx: Ctx): string {
  return hmacHex(ctx.secrets.codeKey(), "passkey-decoy-descriptors");
}

export async function startPasskeySignIn(ctx: Ctx, input: { site: ResolvedSite; email?: string | undefined }): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const { site } = input;
  assertPasskeysEnabled(site);
  const rp = relyingParty(ctx, site);
  let subject: PasskeyChallengeSubject = { kind: "any" };
  let allowCredentials: PasskeyDescriptor[] = [];
  let email: string | null = null;
  if (input.email !== undefined) {
    email = normaliseEmail(input.email);
    if (!email) throw new AppError("invalid_request", { fields: { email: "Invalid email address" } });
  }
  // Each options call stores a challenge in a Durable Object: capped per client and site like auth_login.
  await takeLoginCaps(ctx, site.site_key);
  if (email !== null) {
    // An address locked for wrong passwords is locked for passkeys too (unknown addresses alike).
    await checkEmailThrottle(ctx, email);
    const found = await ctx.store.passkeys.findDescriptorsByEmail(email);
    const usable = found.user !== null && found.user.status === "active" && found.descriptors.length > 0;
    subject = usable ? { kind: "user", userId: found.user!.id } : { kind: "nobody" };
    allowCredentials = allowCredentialsForEmail(usable ? found.descriptors : [], decoyKey(ctx), email);
  }
  const { challenge } = await issuePasskeyChallenge(ctx, { purpose: "authenticate", subject, siteKey: site.site_key });
  return createPasskeyAuthenticationOptions({ rp, challenge, allowCredentials });
}

export async function finishPasskeySignIn(ctx: Ctx, input: { site: ResolvedSite; response: unknown }): Promise<SignInResult> {
  const { site } = input;
  assertPasskeysEnabled(site);
  await takeFactorCap(ctx);
  const checked = await checkPasskeyAssertion(ctx, { site, response: input.response, purpose: "authenticate" });
  if (!checked.ok) {
    const owner = checked.audit?.passkey_user_id ?? checked.audit?.user_id;
    await recordAudit(ctx, {
      actor: { type: "anonymous" },
      action: "login.failure",
      target: typeof owner === "string" ? { type: "user", id: owner } : undefined,
      siteKey: site.site_key,
      outcome: "failure",
      details: { method: "passkey", reason: checked.code, ...checked.audit },
    });
    throw passkeyError(checked);
  }
  const { passkey, factors } = checked.value;
  const user = passkey.user;
  // The key proved possession, but the account may be disabled (or was never activated).
  if (user.status !== "active") {
    await recordAudit(ctx, { actor: { type: "anonymous" }, action: "login.failure", target: { type: "user", id: user.id }, siteKey: site.site_key, outcome: "failure", details: { method: "passkey", reason: `account_${user.status}` } });
    throw new AppError("user_inactive");
  }
  // With user verification the passkey is two factors in one (possession + PIN or biometrics): it
  // satisfies twofa_mode required. Without it, it counts as one, and the site's second factor applies.
  const second = checked.value.userVerified ? null : secondFactorFor(site.policy.twofa_mode, user, "passkey");
  if (second) {
    const challenge = await issueLoginChallenge(ctx, {
      owner: user.id,
      user,
      email: user.email,
      site,
      factor: second.factor,
      data: { stage: "second", done: factors, choices: second.choices },
    });
    return { status: "factor_required", challenge };
  }
  const started = await startUserSession(ctx, {
    user,
    site,
    factors,
    audit: { actor: { type: "user", id: user.id }, action: "login.success", target: { type: "user", id: user.id }, siteKey: site.site_key, details: { factors, method: "passkey", passkey_id: passkey.id } },
  });
  return { status: "authenticated", started };
}
