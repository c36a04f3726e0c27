import { z } from "@hono/zod-openapi";
import { SiteKeyField } from "./site-info";

export const EmailField = z.string().max(320).openapi({ example: "jane@example.com" });

/** A one-time code: digits as a string (spaces and dashes ignored); a JSON number is read as its 6-digit form. */
export const CodeField = z
  .union([z.string().max(32), z.number().int().min(0).max(999_999).transform((n) => String(n).padStart(6, "0"))])
  .openapi({ example: "123456", description: "The 6-digit code from the email" });

export const TokenField = z.string().max(512).openapi({ description: "The `token` query parameter of the emailed link" });

export const RequestBodySchema = z.object({ site_key: SiteKeyField.optional(), email: EmailField });

export const SentIfExistsSchema = z
  .object({ ok: z.literal(true), status: z.literal("sent_if_exists") })
  .openapi("SentIfExists");

export const ChallengeValidSchema = z
  .object({
    ok: z.literal(true),
    valid: z.literal(true),
    email: z.string().openapi({ description: "The account's address, masked", example: "j******e@example.com" }),
    expires_at: z.string(),
  })
  .openapi("ChallengeValid");
