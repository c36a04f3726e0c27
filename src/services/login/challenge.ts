import type { Ctx } from "../../context";
import { emailDigest } from "../../crypto/email-digest";
import { maskEmail } from "../../lib/email";
import type { TwofaMode } from "../../lib/site-policy";
import type { ResolvedSite } from "../../lib/types";
import type { ChallengeRecord } from "../../store/challenges";
import type { UserRow } from "../../store/users";
import { auditStatement } from "../audit/record";
import { CODE_TTL_SECONDS, issueChallenge } from "../challenges/challenges";
import { takeMailCooldown } from "../limits/login";
import type { MailRequest } from "../mail/enqueue";
import { type OwedMail, deferOwedMail, owedMailStatement, prepareDecoy, prepareMail } from "../mail/outbox";
import { type PasskeyFactorOptions, issuePasskeyFactorOptions } from "./passkey-factor";

export type LoginFactor = "email_otp" | "totp" | "passkey";

/** What a login challenge remembers besides the KV record's own fields. */
export interface LoginChallengeData {
  /** "primary": the email code of passwordless sign-in; "second": the factor after a proven first one. */
  stage: "primary" | "second";
  /** Factors already proven (["password"] after the password step). */
  done: string[];
  /** Factors the client may switch between on auth_factor_challenge (and, for "passkey", answer directly). */
  choices: LoginFactor[];
  /** With "passkey" among the choices: the id (hex SHA-256) of the WebAuthn challenge issued with this one. */
  passkey_challenge?: string;
}

export interface ChallengeView {
  token: string;
  factor: LoginFactor;
  expires_at: string;
  destination: string;
  /** Every factor this challenge accepts (auth_factor_challenge switches; a passkey assertion is accepted directly). */
  choices: LoginFactor[];
  /** With "passkey" among the choices: PublicKeyCredentialRequestOptionsJSON for navigator.credentials.get. */
  passkey?: PasskeyFactorOptions["options"];
}

export function challengeData(record: ChallengeRecord): LoginChallengeData {
  const d = record.data as Partial<LoginChallengeData>;
  const data: LoginChallengeData = { stage: d.stage === "primary" ? "primary" : "second", done: Array.isArray(d.done) ? d.done : [], choices: Array.isArray(d.choices) ? d.choices : [] };
  if (typeof d.passkey_challenge === "string") data.passkey_challenge = d.passkey_challenge;
  return data;
}

/** Passkeys a second factor may use: whether the user has one the site lets count, and whether the site asks for it first. */
export interface PasskeyChoice {
  available: boolean;
  preferred: boolean;
}

const NO_PASSKEY: PasskeyChoice = { available: false, preferred: false };

/**
 * The second factor the site's policy asks of this user after `primary`, or null. `required`: TOTP
 * when enrolled, else an email code; `optional`: TOTP only for users who enrolled it. An emailed
 * code cannot follow an emailed code, so passwordless sign-in only ever adds TOTP. A TOTP user may
 * switch to an email code after a password (the site accepts email codes as a second factor).
 *
 * Passkeys (a passkey without user verification as the first factor counts like a password here) never
 * make a second factor be asked where none was; where one is asked and the user has a passkey, it
 * joins the choices, and with passkey_mode "preferred" it is the factor asked first. Otherwise the
 * factor asked stays TOTP or an emailed code, so clients that know only those keep working.
 */
export function secondFactorFor(
  mode: TwofaMode,
  user: UserRow,
  primary: "password" | "email_otp" | "passkey",
  passkey: PasskeyChoice = NO_PASSKEY,
): { factor: LoginFactor; choices: LoginFactor[] } | null {
  if (mode === "off") return null;
  const totp = user.totpEnabledAt != null;
  let base: { factor: LoginFactor; choices: LoginFactor[] } | null;
  if (primary === "email_otp") base = totp ? { factor: "totp", choices: ["totp"] } : null;
  else if (totp) base = { factor: "totp", choices: ["totp", "email_otp"] };
  else base = mode === "required" ? { factor: "email_otp", choices: ["email_otp"] } : null;
  // The passkey that was the first factor cannot also be the second.
  if (!base || primary === "passkey" || !passkey.available) return base;
  return passkey.preferred ? { factor: "passkey", choices: ["passkey", ...base.choices] } : { factor: base.factor, choices: [...base.choices, "passkey"] };
}

export interface IssueLoginChallengeInput {
  /** The account attempts count against: the user id, or ghostOwner(email) for addresses nobody can sign in with. */
  owner: string;
  user: UserRow | null;
  email: string;
  site: ResolvedSite;
  factor: LoginFactor;
  data: LoginChallengeData;
}

/**
 * Issues a login challenge (any earlier one of the account dies with it). Email codes: one mail per
 * account per 60 s (429 resend_too_soon), sent through the mail queue; a challenge for an address
 * nobody can sign in with is issued and counted the same way (a decoy outbox row stands in for its
 * mail) but mails nothing and can never verify.
 */
export async function issueLoginChallenge(ctx: Ctx, input: IssueLoginChallengeInput): Promise<ChallengeView> {
  const { user, site } = input;
  // A passkey among the choices: a WebAuthn challenge for this user is issued with it and its id kept
  // in the record, so only an assertion made for THIS login challenge can answer it. A user whose
  // passkeys are gone (or a site that turned them off) since the first step gets the other choices.
  const passkey = user && input.data.choices.includes("passkey") ? await issuePasskeyFactorOptions(ctx, { site, user }) : null;
  const data: LoginChallengeData = { ...input.data };
  delete data.passkey_challenge;
  let factor = input.factor;
  if (passkey) data.passkey_challenge = passkey.challengeId;
  else if (data.choices.includes("passkey")) {
    data.choices = data.choices.filter((c) => c !== "passkey");
    if (factor === "passkey") factor = data.choices[0] ?? "email_otp";
  }
  if (factor === "email_otp") await takeMailCooldown(ctx, input.owner);
  const issued = await issueChallenge(ctx, {
    purpose: "login",
    owner: input.owner,
    userId: user?.id ?? null,
    siteKey: site.site_key,
    email: input.email,
    factor,
    ttlSeconds: CODE_TTL_SECONDS,
    withCode: factor === "email_otp",
    enforceCooldown: false,
    data: { ...data },
  });
  // An email code is owed for an account, a decoy of the same size for an address nobody can sign in
  // with: one batch with the audit row either way, so the storage work does not tell them apart.
  let owed: OwedMail | null = null;
  if (factor === "email_otp" && issued.code) {
    const mail: MailRequest = { template: "login_code", to: user?.email ?? input.email, site_key: site.site_key, data: { code: issued.code, expires_minutes: CODE_TTL_SECONDS / 60 } };
    owed = user ? await prepareMail(ctx, mail) : await prepareDecoy(ctx, mail);
  }
  const audit = auditStatement(ctx, {
    actor: user ? { type: "user", id: user.id } : { type: "anonymous" },
    action: "factor.sent",
    target: user ? { type: "user", id: user.id } : { type: "email_digest", id: emailDigest(ctx.secrets.codeKey(), input.email) },
    siteKey: site.site_key,
    outcome: user ? "success" : "denied",
    details: { factor, stage: input.data.stage },
  });
  if (owed) {
    await ctx.store.batch([audit, owedMailStatement(ctx, owed)]);
    deferOwedMail(ctx, owed);
  } else {
    await audit;
  }
  const view: ChallengeView = { token: issued.token, factor, expires_at: new Date(issued.record.expires_at).toISOString(), destination: maskEmail(input.email), choices: data.choices };
  if (passkey) view.passkey = passkey.options;
  return view;
}
