import { eq } from "drizzle-orm";
import type { SitePolicy } from "../env";
import type { Branding } from "../lib/types";
import { type Db, schema } from "./db";

export interface SiteRecord {
  site_key: string;
  name: string;
  status: "active" | "inactive";
  allowed_origins: string[];
  reset_url: string | null;
  onboarding_url: string | null;
  branding: Branding;
  policy: SitePolicy | null;
  created_at: number;
  updated_at: number;
}

function parseJson<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

type SiteRow = typeof schema.sites.$inferSelect;
type PolicyRow = typeof schema.sitePolicies.$inferSelect;

export function toSiteRecord(site: SiteRow, policy: PolicyRow | null): SiteRecord {
  return {
    site_key: site.siteKey,
    name: site.name,
    status: site.status,
    allowed_origins: parseJson<string[]>(site.allowedOrigins, []),
    reset_url: site.resetUrl,
    onboarding_url: site.onboardingUrl,
    branding: parseJson<Branding>(site.branding, {}),
    policy: policy
      ? {
          login_mode: policy.loginMode,
          reset_mode: policy.resetMode,
          twofa_mode: policy.twofaMode,
          allow_self_registration: policy.allowSelfRegistration,
          password_min_length: policy.passwordMinLength,
          session_ttl_seconds: policy.sessionTtlSeconds,
          idle_timeout_seconds: policy.idleTimeoutSeconds,
        }
      : null,
    created_at: site.createdAt,
    updated_at: site.updatedAt,
  };
}

/** One indexed read: the site and its policy. */
export async function findSite(db: Db, siteKey: string): Promise<SiteRecord | null> {
  const rows = await db
    .select()
    .from(schema.sites)
    .leftJoin(schema.sitePolicies, eq(schema.sitePolicies.siteKey, schema.sites.siteKey))
    .where(eq(schema.sites.siteKey, siteKey))
    .limit(1);
  const row = rows[0];
  return row ? toSiteRecord(row.sites, row.site_policies) : null;
}

export interface NewSite {
  site_key: string;
  name: string;
  status: "active" | "inactive";
  allowed_origins: string[];
  reset_url: string | null;
  onboarding_url: string | null;
  branding: Branding;
  policy: SitePolicy;
}

/** Inserts a site and its policy in one batch (both or neither). */
export async function insertSite(db: Db, site: NewSite, now: number): Promise<void> {
  await db.batch([
    db.insert(schema.sites).values({
      siteKey: site.site_key,
      name: site.name,
      status: site.status,
      allowedOrigins: JSON.stringify(site.allowed_origins),
      resetUrl: site.reset_url,
      onboardingUrl: site.onboarding_url,
      branding: JSON.stringify(site.branding),
      createdAt: now,
      updatedAt: now,
    }),
    db.insert(schema.sitePolicies).values({
      siteKey: site.site_key,
      loginMode: site.policy.login_mode,
      resetMode: site.policy.reset_mode,
      twofaMode: site.policy.twofa_mode,
      allowSelfRegistration: site.policy.allow_self_registration,
      passwordMinLength: site.policy.password_min_length,
      sessionTtlSeconds: site.policy.session_ttl_seconds,
      idleTimeoutSeconds: site.policy.idle_timeout_seconds,
      updatedAt: now,
    }),
  ]);
}
