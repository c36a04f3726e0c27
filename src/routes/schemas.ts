import { z } from "@hono/zod-openapi";

/** The canonical identity payload (DESIGN.md). */
export const UserSchema = z
  .object({
    auth_user_id: z.string(),
    email: z.string(),
    email_verified: z.boolean(),
    name: z.string(),
    display_name: z.string().nullable(),
    phone: z.string().nullable(),
    job_title: z.string().nullable(),
    department: z.string().nullable(),
    locale: z.string().nullable(),
    timezone: z.string().nullable(),
    avatar_url: z.string().nullable(),
    status: z.enum(["pending", "active", "disabled"]),
    totp_enabled: z.boolean(),
    created_at: z.string(),
    updated_at: z.string(),
    last_login_at: z.string().nullable(),
  })
  .openapi("User");

/** A session as login answers it: the token (also set as the __Host-auth2_session cookie) and its expiry. */
export const SessionSchema = z.object({ token: z.string(), expires_at: z.string() }).openapi("Session");

export const SessionInfoSchema = z
  .object({
    id: z.string(),
    site_key: z.string(),
    created_at: z.string(),
    expires_at: z.string(),
    factors: z.array(z.string()),
    authenticated_at: z.string().openapi({
      description: "When the user last proved a credential in this session: the sign-in, or the last auth_reauthenticate. Adding a passkey needs it within 10 minutes.",
    }),
  })
  .openapi("SessionInfo");

export const EmptyOkSchema = z.object({ ok: z.literal(true) }).openapi("Ok");

/** A boolean that also accepts the strings form posts send ("true"/"false"/"1"/"0"). */
export const formBoolean = z.union([z.boolean(), z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1")]);

/** An integer that also accepts its decimal string (form posts). */
export const formInt = z.union([z.number().int(), z.string().regex(/^-?\d{1,9}$/).transform(Number)]);
