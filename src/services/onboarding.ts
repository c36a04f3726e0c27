import type { Env } from "../env";
import type { RequestMeta } from "../lib/types";
import type { UserRow } from "../store/users";
import { CODE_TTL_SECONDS, issueChallenge } from "./challenges";
import { enqueueMail } from "./mail";

// Staff onboarding mail: a pending user gets a 6-digit code (10 minutes) to set their first
// password. Admin routes (user_create with send_onboarding, user_onboarding_resend) call
// `sendOnboardingCode`; the onboarding flow (auth_onboarding_*) uses and extends this file.

export interface OnboardingSendMeta {
  /** The app the user is onboarded into (branding, onboarding_url); null → default branding and URL. */
  siteKey: string | null;
  /** true: refuse with 429 resend_too_soon inside the 60 s cooldown. */
  enforceCooldown: boolean;
  request: RequestMeta | null;
  now: number;
}

export type SendOnboarding = (env: Env, user: UserRow, meta: OnboardingSendMeta) => Promise<void>;

/** Issues an onboarding challenge (a new code kills the previous one) and queues the `onboarding_code` mail. */
export const sendOnboardingCode: SendOnboarding = async (env, user, meta) => {
  const issued = await issueChallenge(env, {
    purpose: "onboarding",
    owner: user.id,
    userId: user.id,
    siteKey: meta.siteKey ?? "",
    email: user.email,
    ttlSeconds: CODE_TTL_SECONDS,
    withCode: true,
    enforceCooldown: meta.enforceCooldown,
    now: meta.now,
  });
  await enqueueMail(env, {
    template: "onboarding_code",
    to: user.email,
    site_key: meta.siteKey,
    data: { code: issued.code!, expires_minutes: CODE_TTL_SECONDS / 60, name: user.name },
  });
};
