import type { Context } from "hono";
import { z } from "@hono/zod-openapi";
import type { AppEnv } from "../middleware/app-env";
import type { ChallengeView } from "../services/login/challenge";
import type { StartedSession } from "../services/sessions/start";
import { setSessionCookie } from "./cookies";
import { PasskeyRequestOptionsSchema } from "./passkey-schemas";
import { SessionSchema, UserSchema } from "./schemas";

export const ChallengeSchema = z
  .object({
    token: z.string().openapi({ description: "Good only for auth_factor_challenge and auth_factor_verify" }),
    factor: z.enum(["email_otp", "totp", "passkey"]).openapi({
      description: "The factor asked. `passkey` only on sites with passkey_mode `preferred` (elsewhere a passkey is among `choices`, and the factor asked stays `totp` or `email_otp`).",
    }),
    expires_at: z.string(),
    destination: z.string().openapi({ example: "j******e@example.com", description: "Masked email the code went to" }),
    choices: z.array(z.enum(["email_otp", "totp", "passkey"])).openapi({
      description: "Every factor this challenge accepts: auth_factor_challenge switches between them; a passkey assertion (field `passkey` of auth_factor_verify) is accepted without switching.",
    }),
    passkey: PasskeyRequestOptionsSchema.optional().openapi({
      description: "With `passkey` among the choices: the options for navigator.credentials.get / @simplewebauthn/browser startAuthentication (the user's passkeys in allowCredentials).",
    }),
  })
  .openapi("Challenge");

/** Either a session or the next factor: what auth_login and auth_factor_verify answer. */
export const SignInResponseSchema = z
  .object({
    ok: z.literal(true),
    status: z.enum(["authenticated", "factor_required"]),
    session: SessionSchema.optional(),
    user: UserSchema.optional(),
    challenge: ChallengeSchema.optional(),
  })
  .openapi("SignInResult");

/**
 * The body of an "authenticated" answer, with the __Host-auth2_session cookie set for browsers
 * (apps use the token from the body as a Bearer token). For every flow that starts a session.
 */
export function authenticatedBody(c: Context<AppEnv>, started: StartedSession) {
  setSessionCookie(c, "user", started.session.token, started.session.ttlSeconds);
  return {
    ok: true as const,
    status: "authenticated" as const,
    session: { token: started.session.token, expires_at: started.session.expires_at },
    user: started.user as z.infer<typeof UserSchema>,
  };
}

export function factorRequiredBody(challenge: ChallengeView) {
  return { ok: true as const, status: "factor_required" as const, challenge };
}
