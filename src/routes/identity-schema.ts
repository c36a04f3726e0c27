import { z } from "@hono/zod-openapi";

/** The canonical identity payload (src/services/identity.ts) as OpenAPI sees it. */
export const IdentitySchema = z
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
  .openapi("Identity");
