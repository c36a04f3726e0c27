import type { Ctx } from "../../context";
import { AppError } from "../../lib/errors";
import { canonicalLocale, isTimeZone } from "../../lib/locale";
import type { NewUserRow, UserRow } from "../../store/users";
import { auditStatement } from "../audit/record";
import { refreshIdentity, userPrincipal } from "../sessions/sessions";
import { type Identity, toIdentity } from "./identity";

/** The only fields a user may change about themselves, with their length limits (after trimming). */
export const PROFILE_FIELDS = {
  name: { column: "name", max: 100, required: true },
  display_name: { column: "displayName", max: 100, required: false },
  phone: { column: "phone", max: 32, required: false },
  job_title: { column: "jobTitle", max: 100, required: false },
  department: { column: "department", max: 100, required: false },
  locale: { column: "locale", max: 35, required: false },
  timezone: { column: "timezone", max: 64, required: false },
} as const satisfies Record<string, { column: keyof NewUserRow; max: number; required: boolean }>;

export type ProfileField = keyof typeof PROFILE_FIELDS;
export type ProfilePatch = Partial<Record<ProfileField, string | null>>;

/** Body members that are not profile fields but may ride along (the app convention sends site_key everywhere). */
const IGNORED_MEMBERS = new Set(["site_key"]);

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const PHONE = /^\+?[0-9][0-9 ()./-]{1,30}$/;

/** Refuses every body member that is not an allowed profile field: 400 field_not_allowed naming them. */
export function assertOnlyProfileFields(body: Record<string, unknown>): void {
  const refused = Object.keys(body).filter((k) => !(k in PROFILE_FIELDS) && !IGNORED_MEMBERS.has(k));
  if (refused.length) {
    const fields: Record<string, string> = {};
    for (const k of refused.slice(0, 20)) fields[k] = "This field cannot be changed here";
    throw new AppError("field_not_allowed", { fields });
  }
}

/** Trims, NFC-normalises and checks each field; "" or null clears an optional field. */
export function normaliseProfilePatch(patch: ProfilePatch): Partial<NewUserRow> {
  const out: Partial<NewUserRow> = {};
  const errors: Record<string, string> = {};
  for (const [field, rule] of Object.entries(PROFILE_FIELDS) as [ProfileField, (typeof PROFILE_FIELDS)[ProfileField]][]) {
    if (!(field in patch) || patch[field] === undefined) continue;
    const raw = patch[field];
    const value = raw === null ? "" : raw.normalize("NFC").trim();
    if (value === "") {
      if (rule.required) errors[field] = "Required";
      else (out as Record<string, unknown>)[rule.column] = null;
      continue;
    }
    if (value.length > rule.max) errors[field] = `At most ${rule.max} characters`;
    else if (CONTROL.test(value)) errors[field] = "Control characters are not allowed";
    else if (field === "phone" && !PHONE.test(value)) errors[field] = "Digits, spaces and + ( ) . / - only";
    else if (field === "timezone" && !isTimeZone(value)) errors[field] = "An IANA time zone such as Europe/Berlin";
    else if (field === "locale") {
      const locale = canonicalLocale(value);
      if (locale) out.locale = locale;
      else errors[field] = "A language tag such as en or de-CH";
    } else (out as Record<string, unknown>)[rule.column] = value;
  }
  if (Object.keys(errors).length) throw new AppError("invalid_request", { fields: errors });
  return out;
}

/**
 * Changes the signed-in user's own profile, audits it in the same batch and refreshes the identity
 * snapshot their sessions answer from. Returns the canonical user.
 */
export async function updateOwnProfile(ctx: Ctx, userId: string, patch: ProfilePatch): Promise<Identity> {
  const changes = normaliseProfilePatch(patch);
  if (Object.keys(changes).length === 0) {
    throw new AppError("invalid_request", { message: "Give at least one profile field to change." });
  }
  const current = await ctx.store.users.findById(userId);
  if (!current || current.status !== "active") throw new AppError("unauthenticated");
  const fields = Object.keys(patch).filter((k) => k in PROFILE_FIELDS && patch[k as ProfileField] !== undefined);
  await ctx.store.batch([
    ctx.store.users.update(userId, { ...changes, updatedAt: ctx.now }),
    auditStatement(ctx, { actor: { type: "user", id: userId }, action: "profile.update", target: { type: "user", id: userId }, details: { fields } }),
  ]);
  return publishIdentity(ctx, userId, current);
}

/** Re-reads the row (the latest state wins) and pushes it to the user's Durable Object. */
export async function publishIdentity(ctx: Ctx, userId: string, fallback: UserRow): Promise<Identity> {
  const row = (await ctx.store.users.findById(userId)) ?? fallback;
  const identity = toIdentity(row, ctx.config.publicBaseUrl);
  await refreshIdentity(ctx, userPrincipal(userId), identity);
  return identity;
}
