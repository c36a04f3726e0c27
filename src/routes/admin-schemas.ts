import { z } from "@hono/zod-openapi";
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
