import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../lib/types";
import type { FlowContext } from "../services/emailed-challenges";
import { SiteKeyField } from "./site-info";

/** The request facts the reset and onboarding services need; mail goes out after the answer. */
export function flowContext(c: Context<AppEnv>): FlowContext {
  return {
    env: c.env,
    config: c.var.config,
    site: c.var.site,
    meta: c.var.meta,
    now: Date.now(),
    defer: (work) => {
      const requestId = c.var.requestId;
      // Never the mail itself in a log line: it may hold a code or a link.
      const guarded = work.catch((err: unknown) => {
        console.error(JSON.stringify({ level: "error", request_id: requestId, kind: "mail_enqueue", name: err instanceof Error ? err.name : "unknown" }));
      });
      try {
        c.executionCtx.waitUntil(guarded);
      } catch {
        // No execution context (the app driven directly): the promise still runs to completion.
      }
    },
  };
}

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
