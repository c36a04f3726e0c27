import { z } from "@hono/zod-openapi";
import { isTimeZone } from "../lib/locale";
import { SessionSchema } from "./schemas";

/** An admin account as the admin API shows it (never a hash or secret). */
export const AdminSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    status: z.enum(["active", "disabled"]),
    totp_enabled: z.boolean(),
    created_at: z.string(),
    updated_at: z.string(),
    last_login_at: z.string().nullable(),
    password_changed_at: z.string().nullable(),
  })
  .openapi("Admin");

export const AdminSessionSchema = SessionSchema;

/** A password field: capped so no one can make the server hash megabytes (rules are checked in the service). */
export const PasswordField = z.string().min(1).max(1024);

/** Opaque pagination cursor. */
export const CursorField = z.string().min(1).max(200).optional().openapi({ description: "next_cursor of the previous page" });

/** Page size: 1–100, default 50 (query strings carry it as text). */
export const LimitField = z
  .string()
  .regex(/^\d{1,3}$/, "Expected an integer")
  .transform(Number)
  .pipe(z.number().int().min(1).max(100))
  .optional()
  .openapi({ type: "integer", minimum: 1, maximum: 100, default: 50 });

// ── users ───────────────────────────────────────────────────────────────────────────

const NO_CONTROL = /^[^\u0000-\u001f\u007f]*$/u;
const text = (max: number) => z.string().trim().max(max).regex(NO_CONTROL, "Control characters are not allowed");
const optionalText = (max: number) => text(max).nullable().optional();

/** Profile fields an admin may set (the same shapes as the staff profile route). */
export const ProfileFields = {
  display_name: optionalText(200),
  phone: z.string().trim().max(40).regex(/^[+0-9 ().-]*$/, "Digits, spaces, + ( ) . - only").nullable().optional(),
  job_title: optionalText(200),
  department: optionalText(200),
  locale: z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$/, "Expected a BCP 47 tag such as en or de-CH").nullable().optional(),
  timezone: z.string().max(64).refine(isTimeZone, "Expected an IANA time zone such as Europe/Zurich").nullable().optional(),
};

export const NameField = text(200).min(1);
export const EmailField = z.string().min(3).max(254).openapi({ example: "jane@example.com" });
export const UserStatusField = z.enum(["pending", "active", "disabled"]);
export const UserIdField = z.string().min(1).max(64);
export const OptionalSiteKey = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/)
  .optional()
  .openapi({ description: "The app the user is onboarded into: its branding and onboarding_url are used for the mail" });
