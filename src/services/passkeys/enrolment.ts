import type { PublicKeyCredentialCreationOptionsJSON } from "@simplewebauthn/server";
import type { Ctx } from "../../context";
import { AppError } from "../../lib/errors";
import type { UserRow } from "../../store/users";
import { auditStatementIfChanged, recordAudit } from "../audit/record";
import { deferOwedMail, owedMailStatementIfChanged, prepareMail } from "../mail/outbox";
import { assertRecentAuthentication } from "../sessions/recent-auth";
import { resolveSite } from "../sites/resolve";
import { aaguidName } from "./aaguid-names";
import { PASSKEY_CHALLENGE_TTL_MS, issuePasskeyChallenge } from "./challenges";
import { assertPasskeysEnabled, passkeyError } from "./policy";
import { createPasskeyRegistrationOptions, verifyPasskeyRegistration } from "./registration";
import { relyingParty } from "./relying-party";
import { generateUserHandle } from "./user-handle";
import { type PasskeyView, toPasskeyView } from "./views";

// Adding a passkey to the signed-in user's account (auth_passkey_register_options / _verify). Both
// steps need a recent proof in the session (recent-auth.ts); the verify step accepts the challenge
// the options step issued (≤ 5 minutes), so its window is the proof's 10 minutes plus that.
// The passkey, its audit row and the notice mail commit in one D1 batch.

/** At most this many passkeys per account (each one is a way in; more is a sign of abuse). */
export const MAX_PASSKEYS_PER_USER = 20;

/** The signed-in session a Staff route acts for. */
export interface SessionActor {
  userId: string;
  siteKey: string;
  /** The session's last proof of a credential (ms). */
  authenticatedAt: number;
}

async function loadUser(ctx: Ctx, userId: string): Promise<UserRow> {
  const user = await ctx.store.users.findById(userId);
  if (!user || user.status !== "active") throw new AppError("unauthenticated");
  return user;
}

/** Creation options for a new passkey of the signed-in user (the user handle is created on first use). */
export async function startPasskeyEnrolment(ctx: Ctx, session: SessionActor): Promise<PublicKeyCredentialCreationOptionsJSON> {
  assertRecentAuthentication(ctx, session.authenticatedAt);
  const site = await resolveSite(ctx, session.siteKey);
  assertPasskeysEnabled(site);
  const rp = relyingParty(ctx, site);
  const user = await loadUser(ctx, session.userId);
  const [userHandle, existing] = await Promise.all([
    ctx.store.passkeys.ensureUserHandle({ userId: user.id, candidate: generateUserHandle(), now: ctx.now }),
    ctx.store.passkeys.listDescriptors(user.id),
  ]);
  if (existing.length >= MAX_PASSKEYS_PER_USER) throw new AppError("conflict", { message: `An account can have at most ${MAX_PASSKEYS_PER_USER} passkeys. Remove one first.` });
  const { challenge } = await issuePasskeyChallenge(ctx, { purpose: "register", subject: { kind: "user", userId: user.id }, siteKey: site.site_key });
  return createPasskeyRegistrationOptions({
    rp,
    user: { userHandle, name: user.email, displayName: user.displayName || user.name || user.email },
    challenge,
    excludeCredentials: existing,
  });
}

/** A name for a passkey the user did not name: its provider's, else by kind. */
function defaultName(aaguid: string, deviceType: "singleDevice" | "multiDevice"): string {
  return aaguidName(aaguid) ?? (deviceType === "multiDevice" ? "Passkey" : "Security key");
}

/** Verifies the browser's registration response and stores the passkey; mails the owner a notice. */
export async function finishPasskeyEnrolment(ctx: Ctx, session: SessionActor, input: { response: unknown; name?: string | undefined }): Promise<PasskeyView> {
  assertRecentAuthentication(ctx, session.authenticatedAt, PASSKEY_CHALLENGE_TTL_MS);
  const site = await resolveSite(ctx, session.siteKey);
  assertPasskeysEnabled(site);
  const rp = relyingParty(ctx, site);
  const user = await loadUser(ctx, session.userId);
  const verified = await verifyPasskeyRegistration(ctx, { rp, response: input.response, userId: user.id, siteKey: site.site_key });
  if (!verified.ok) {
    await recordAudit(ctx, { actor: { type: "user", id: user.id }, action: "passkey.register", target: { type: "user", id: user.id }, siteKey: site.site_key, outcome: "failure", details: { reason: verified.code } });
    throw passkeyError(verified);
  }
  const v = verified.value;
  const name = input.name?.trim() || defaultName(v.aaguid, v.deviceType);
  const { id, statement } = ctx.store.passkeys.insert({
    userId: user.id,
    credentialId: v.credentialId,
    publicKey: v.publicKey,
    signCounter: v.signCounter,
    transports: v.transports,
    backedUp: v.backedUp,
    deviceType: v.deviceType,
    aaguid: v.aaguid,
    name,
    now: ctx.now,
  });
  const provider = aaguidName(v.aaguid);
  const owed = await prepareMail(ctx, {
    template: "passkey_added",
    to: user.email,
    site_key: site.site_key,
    data: { name: user.displayName || user.name || undefined, passkey_name: name, ...(provider && { provider }) },
  });
  // Conditional on the insert: a credential id that is already registered (this user's or anyone's)
  // writes no audit success and owes no mail.
  const [inserted] = await ctx.store.batch([
    statement,
    auditStatementIfChanged(ctx, {
      actor: { type: "user", id: user.id },
      action: "passkey.register",
      target: { type: "user", id: user.id },
      siteKey: site.site_key,
      details: { passkey_id: id, aaguid: v.aaguid, device_type: v.deviceType, backed_up: v.backedUp, user_verified: v.userVerified },
    }),
    owedMailStatementIfChanged(ctx, owed),
  ]);
  if ((inserted.meta.changes ?? 0) === 0) throw new AppError("conflict", { message: "This passkey is already registered." });
  deferOwedMail(ctx, owed);
  return toPasskeyView({
    id,
    credentialId: v.credentialId,
    userId: user.id,
    publicKey: v.publicKey,
    signCounter: v.signCounter,
    transports: v.transports,
    backedUp: v.backedUp,
    deviceType: v.deviceType,
    aaguid: v.aaguid,
    name,
    createdAt: ctx.now,
    lastUsedAt: null,
    flaggedAt: null,
  });
}
