import type { Ctx } from "../../context";
import { AppError } from "../../lib/errors";
import type { ResolvedSite } from "../../lib/types";

export const SITE_KEY_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Resolves a site_key to the policy that governs the request: a registered site's saved policy, or
 * (fallback mode) the default policy from config for keys nobody registered, so existing clients
 * keep working. Strict mode refuses unregistered keys. There is no cache: a policy change applies
 * to the very next request.
 */
export async function resolveSite(ctx: Ctx, siteKey: string): Promise<ResolvedSite> {
  const { config } = ctx;
  const site = SITE_KEY_PATTERN.test(siteKey) ? await ctx.store.sites.find(siteKey) : null;
  if (site) {
    const { policy, created_at: _created, updated_at: _updated, ...settings } = site;
    return { ...settings, registered: true, policy: policy ?? config.defaultPolicy };
  }
  if (config.siteRegistryMode === "strict") throw new AppError("unknown_site");
  return {
    site_key: siteKey,
    registered: false,
    name: siteKey,
    status: "active",
    allowed_origins: [],
    reset_url: config.defaultResetUrl || null,
    onboarding_url: config.defaultOnboardingUrl || null,
    branding: {},
    policy: config.defaultPolicy,
  };
}

/** Login-type routes refuse inactive sites. */
export function assertSiteActive(site: ResolvedSite): void {
  if (site.status !== "active") throw new AppError("site_inactive");
}

/** Whether any active registered site lists `origin` exactly (CORS preflights name no site). */
export function isOriginRegistered(ctx: Ctx, origin: string): Promise<boolean> {
  return ctx.store.sites.isOriginRegistered(origin);
}
