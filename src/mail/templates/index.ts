import { z } from "zod";
import type { MailBranding } from "../branding";
import type { RenderedMail } from "../types";
import { safeLink } from "./escape";
import { type MailContent, renderLayout } from "./layout";

/*
 * The mail templates: plain functions, no runtime template compilation. Each has a zod schema for
 * its `data` (checked again in the consumer, because a queue body is just JSON) and a render
 * function returning raw strings that the layout escapes. The set is deliberately small:
 *
 *   login_code           a sign-in code: email OTP second factor AND passwordless (email_otp) login
 *   password_reset       a reset link and/or a reset code (site reset_mode link | otp | both)
 *   password_changed     notice after a password was changed or reset
 *   onboarding_code      first-time setup for an admin-created (pending) account: code, optional link
 *   welcome              after onboarding completes (account active)
 *   registration_code    legacy self-registration: verify the address
 *   registration_exists  legacy self-registration with an address that already has an account
 *   passkey_added        notice after a passkey was added to the account
 */

const Code = z.string().regex(/^\d{4,10}$/, "must be 4-10 digits");
const Minutes = z.number().int().min(1).max(24 * 60);
const Link = z.string().max(2048).refine((v) => safeLink(v) !== null, "must be an http(s) URL");
const Name = z.string().max(200).optional();

const schemas = {
  login_code: z.object({ code: Code, expires_minutes: Minutes, name: Name }),
  password_reset: z
    .object({ link: Link.optional(), code: Code.optional(), expires_minutes: Minutes, name: Name })
    .refine((d) => d.link !== undefined || d.code !== undefined, { message: "needs a link or a code", path: ["link"] }),
  password_changed: z.object({ name: Name }),
  onboarding_code: z.object({ code: Code, link: Link.optional(), expires_minutes: Minutes, name: Name }),
  welcome: z.object({ name: Name, login_url: Link.optional() }),
  registration_code: z.object({ code: Code, expires_minutes: Minutes.default(10), name: Name }),
  registration_exists: z.object({ name: Name, reset_link: Link.optional() }),
  passkey_added: z.object({ name: Name, passkey_name: z.string().min(1).max(64), provider: z.string().max(64).optional() }),
} as const;

type Schemas = typeof schemas;
/** Every template name; `enqueueMail` only accepts these. */
export type MailTemplate = keyof Schemas;
/** What a caller passes as `data` for each template. */
export type MailTemplateData = { [K in MailTemplate]: z.input<Schemas[K]> };
type Parsed<K extends MailTemplate> = z.output<Schemas[K]>;

export const MAIL_TEMPLATES = Object.keys(schemas) as MailTemplate[];

export function isMailTemplate(value: unknown): value is MailTemplate {
  return typeof value === "string" && Object.hasOwn(schemas, value);
}

const hello = (name?: string) => (name?.trim() ? `Hello ${name.trim()},` : "Hello,");
const minutes = (n: number) => (n === 1 ? "1 minute" : `${n} minutes`);
const link = (url: string | undefined) => (url ? safeLink(url) ?? undefined : undefined);

const renderers: { [K in MailTemplate]: (d: Parsed<K>, b: MailBranding) => MailContent } = {
  login_code: (d, b) => ({
    subject: `Your ${b.displayName} sign-in code`,
    heading: "Your sign-in code",
    intro: [hello(d.name), `Use this code to sign in to ${b.displayName}:`],
    code: d.code,
    outro: [`The code expires in ${minutes(d.expires_minutes)} and works once.`, "If you did not try to sign in, you can ignore this email; someone may have typed your address by mistake. Never share this code."],
  }),
  password_reset: (d, b) => ({
    subject: `Reset your ${b.displayName} password`,
    heading: "Reset your password",
    intro: [hello(d.name), d.link && d.code ? "Use the link below, or enter the code, to choose a new password." : d.link ? "Use the link below to choose a new password." : "Enter this code to choose a new password:"],
    code: d.code,
    button: d.link ? { label: "Choose a new password", url: link(d.link)! } : undefined,
    outro: [`This expires in ${minutes(d.expires_minutes)} and works once.`, "If you did not ask to reset your password, ignore this email: your password stays the same."],
  }),
  password_changed: (d, b) => ({
    subject: `Your ${b.displayName} password was changed`,
    heading: "Your password was changed",
    intro: [hello(d.name), `The password of your ${b.displayName} account was just changed and every session was signed out.`],
    outro: [b.supportEmail ? `If you did not do this, reset your password now and contact ${b.supportEmail}.` : "If you did not do this, reset your password now and contact your administrator."],
  }),
  onboarding_code: (d, b) => ({
    subject: `Set up your ${b.displayName} account`,
    heading: "Set up your account",
    intro: [hello(d.name), `An account was created for you at ${b.displayName}. ${d.link ? "Use the link, or enter the code below," : "Enter the code below"} to choose your password.`],
    code: d.code,
    button: d.link ? { label: "Set up my account", url: link(d.link)! } : undefined,
    outro: [`The code expires in ${minutes(d.expires_minutes)}. If it has expired, ask for a new one on the setup page.`, "If you were not expecting this, you can ignore this email."],
  }),
  welcome: (d, b) => ({
    subject: `Welcome to ${b.displayName}`,
    heading: `Welcome to ${b.displayName}`,
    intro: [hello(d.name), "Your account is ready. You can now sign in with your email address and the password you chose."],
    button: d.login_url ? { label: "Sign in", url: link(d.login_url)! } : undefined,
    outro: [],
  }),
  registration_code: (d, b) => ({
    subject: `Confirm your email for ${b.displayName}`,
    heading: "Confirm your email address",
    intro: [hello(d.name), `Enter this code to finish creating your ${b.displayName} account:`],
    code: d.code,
    outro: [`The code expires in ${minutes(d.expires_minutes)}.`, "If you did not sign up, you can ignore this email; no account will be created."],
  }),
  registration_exists: (d, b) => ({
    subject: `Sign-up attempt at ${b.displayName}`,
    heading: "You already have an account",
    intro: [hello(d.name), `Someone tried to register at ${b.displayName} with your email address, which already has an account.`],
    button: d.reset_link ? { label: "Reset my password", url: link(d.reset_link)! } : undefined,
    outro: ["If it was you, sign in with your existing password, or reset your password if you have forgotten it.", "If it was not you, you can ignore this email: nothing was changed."],
  }),
  passkey_added: (d, b) => ({
    subject: `A passkey was added to your ${b.displayName} account`,
    heading: "A new passkey was added",
    intro: [
      hello(d.name),
      `The passkey "${d.passkey_name}"${d.provider ? ` (${d.provider})` : ""} was just added to your ${b.displayName} account. It can now be used to sign in.`,
    ],
    outro: [
      b.supportEmail
        ? `If you did not do this, remove the passkey from your account, change your password and contact ${b.supportEmail}.`
        : "If you did not do this, remove the passkey from your account, change your password and contact your administrator.",
    ],
  }),
};

export type RenderResult = { ok: true; mail: RenderedMail } | { ok: false; error: string };

/**
 * Renders a template. An unknown name or data that does not fit the schema is a permanent failure;
 * the error names the template or the failing field paths, never their values.
 */
export function renderMail(template: string, data: unknown, branding: MailBranding): RenderResult {
  if (!isMailTemplate(template)) return { ok: false, error: "unknown_template" };
  const parsed = schemas[template].safeParse(data ?? {});
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => i.path.join(".") || "data"))].join(",");
    return { ok: false, error: `invalid_data:${fields}`.slice(0, 200) };
  }
  const render = renderers[template] as (d: unknown, b: MailBranding) => MailContent;
  return { ok: true, mail: renderLayout(branding, render(parsed.data, branding)) };
}
