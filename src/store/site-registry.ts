import { asc, eq } from "drizzle-orm";
import type { SitePolicy } from "../env";
import { type Db, schema } from "./db";
import { type NewSite, type SiteRecord, toSiteRecord } from "./sites";

// Writes and listings of the site registry (reads of one site for request handling: store/sites.ts).

export async function listSiteRecords(db: Db): Promise<SiteRecord[]> {
  const rows = await db
    .select()
    .from(schema.sites)
    .leftJoin(schema.sitePolicies, eq(schema.sitePolicies.siteKey, schema.sites.siteKey))
    .orderBy(asc(schema.sites.siteKey));
  return rows.map((r) => toSiteRecord(r.sites, r.site_policies));
}

export function insertSiteStatements(db: Db, site: NewSite, now: number) {
  return [
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
    upsertPolicyStatement(db, site.site_key, site.policy, now),
  ] as const;
}

export function updateSiteStatement(db: Db, site: Omit<NewSite, "policy">, now: number) {
  return db
    .update(schema.sites)
    .set({
      name: site.name,
      status: site.status,
      allowedOrigins: JSON.stringify(site.allowed_origins),
      resetUrl: site.reset_url,
      onboardingUrl: site.onboarding_url,
      branding: JSON.stringify(site.branding),
      updatedAt: now,
    })
    .where(eq(schema.sites.siteKey, site.site_key));
}

/** Writes the whole policy of a site (a site registered without one gets its row here). */
export function upsertPolicyStatement(db: Db, siteKey: string, policy: SitePolicy, now: number) {
  const values = {
    loginMode: policy.login_mode,
    resetMode: policy.reset_mode,
    twofaMode: policy.twofa_mode,
    allowSelfRegistration: policy.allow_self_registration,
    passwordMinLength: policy.password_min_length,
    sessionTtlSeconds: policy.session_ttl_seconds,
    idleTimeoutSeconds: policy.idle_timeout_seconds,
    updatedAt: now,
  };
  return db.insert(schema.sitePolicies).values({ siteKey, ...values }).onConflictDoUpdate({ target: schema.sitePolicies.siteKey, set: values });
}

/** Deletes a site; its policy goes with it (ON DELETE CASCADE). */
export function deleteSiteStatement(db: Db, siteKey: string) {
  return db.delete(schema.sites).where(eq(schema.sites.siteKey, siteKey));
}
