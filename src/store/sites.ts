import { asc, eq } from "drizzle-orm";
import type { SitePolicy } from "../env";
import type { Branding, SiteSettings } from "../lib/types";
import { type Db, schema } from "./db";

// The site registry's tables: `sites` and `site_policies` (one row per site, deleted with it).

export interface SiteRecord extends SiteSettings {
  site_key: string;
  /** null: registered without a policy row (the default policy applies). */
  policy: SitePolicy | null;
  created_at: number;
  updated_at: number;
}

export interface NewSite extends SiteSettings {
  site_key: string;
  policy: SitePolicy;
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

/** The `sites` columns a site's settings are stored in. */
function settingsColumns(site: SiteSettings) {
  return {
    name: site.name,
    status: site.status,
    allowedOrigins: JSON.stringify(site.allowed_origins),
    resetUrl: site.reset_url,
    onboardingUrl: site.onboarding_url,
    branding: JSON.stringify(site.branding),
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

export async function listSiteRecords(db: Db): Promise<SiteRecord[]> {
  const rows = await db
    .select()
    .from(schema.sites)
    .leftJoin(schema.sitePolicies, eq(schema.sitePolicies.siteKey, schema.sites.siteKey))
    .orderBy(asc(schema.sites.siteKey));
  return rows.map((r) => toSiteRecord(r.sites, r.site_policies));
}

/** The site row and its policy row, for a db.batch (with the audit row that records them). */
export function insertSiteStatements(db: Db, site: NewSite, now: number) {
  return [
    db.insert(schema.sites).values({ siteKey: site.site_key, ...settingsColumns(site), createdAt: now, updatedAt: now }),
    upsertPolicyStatement(db, site.site_key, site.policy, now),
  ] as const;
}

/** Inserts a site and its policy in one batch (both or neither). */
export async function insertSite(db: Db, site: NewSite, now: number): Promise<void> {
  await db.batch([...insertSiteStatements(db, site, now)]);
}

export function updateSiteStatement(db: Db, site: SiteSettings & { site_key: string }, now: number) {
  return db
    .update(schema.sites)
    .set({ ...settingsColumns(site), updatedAt: now })
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
