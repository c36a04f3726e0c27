import { z } from "@hono/zod-openapi";

/** A user API key as lists and verify answers show it: never the secret or its hash. */
export const ApiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().openapi({ description: "Public start of the secret, to tell keys apart", example: "a2k_3f9c0a1b2c3d" }),
    scopes: z.array(z.string()),
    created_at: z.string(),
    expires_at: z.string().nullable(),
    last_used_at: z.string().nullable().openapi({ description: "Updated at most once a minute" }),
    revoked_at: z.string().nullable(),
  })
  .openapi("ApiKey");
