import { asc, eq, sql } from "drizzle-orm";
import { type SitePolicy, policyFromColumns, policyToColumns } from "../lib/site-policy";
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
    policy: policy ? policyFromColumns(policy) : null,
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

/** Whether any active registered site lists `origin` (exact match) in its allowed_origins. */
export async function isOriginRegistered(db: Db, origin: string): Promise<boolean> {
  const row = await db.get<{ one: number } | undefined>(
    sql`SELECT 1 AS one FROM sites WHERE status = 'active' AND EXISTS (SELECT 1 FROM json_each(sites.allowed_origins) WHERE json_each.value = ${origin}) LIMIT 1`,
  );
  return row?.one === 1;
}

export function updateSiteStatement(db: Db, site: SiteSettings & { site_key: string }, now: number) {
  return db
    .update(schema.sites)
    .set({ ...settingsColumns(site), updatedAt: now })
    .where(eq(schema.sites.siteKey, site.site_key));
}

/** Writes the whole policy of a site (a site registered without one gets its row here). */
export function upsertPolicyStatement(db: Db, siteKey: string, policy: SitePolicy, now: number) {
  const values = { ...policyToColumns(policy), updatedAt: now } as Omit<PolicyRow, "siteKey">;
  return db.insert(schema.sitePolicies).values({ siteKey, ...values }).onConflictDoUpdate({ target: schema.sitePolicies.siteKey, set: values });
}

/** Deletes a site; its policy goes with it (ON DELETE CASCADE). */
export function deleteSiteStatement(db: Db, siteKey: string) {
  return db.delete(schema.sites).where(eq(schema.sites.siteKey, siteKey));
}

export interface SitesStore {
  /** One indexed read: the site and its policy. */
  find(siteKey: string): Promise<SiteRecord | null>;
  list(): Promise<SiteRecord[]>;
  /** The site row and its policy row, for a batch with the audit row that records them. */
  insertStatements(site: NewSite, now: number): ReturnType<typeof insertSiteStatements>;
  /** Inserts a site and its policy in one batch (seed, bench, tests). */
  insert(site: NewSite, now: number): Promise<void>;
  update(site: SiteSettings & { site_key: string }, now: number): ReturnType<typeof updateSiteStatement>;
  upsertPolicy(siteKey: string, policy: SitePolicy, now: number): ReturnType<typeof upsertPolicyStatement>;
  delete(siteKey: string): ReturnType<typeof deleteSiteStatement>;
  isOriginRegistered(origin: string): Promise<boolean>;
}

export function createSitesStore(db: Db): SitesStore {
  return {
    find: (siteKey) => findSite(db, siteKey),
    list: () => listSiteRecords(db),
    insertStatements: (site, now) => insertSiteStatements(db, site, now),
    insert: (site, now) => insertSite(db, site, now),
    update: (site, now) => updateSiteStatement(db, site, now),
    upsertPolicy: (siteKey, policy, now) => upsertPolicyStatement(db, siteKey, policy, now),
    delete: (siteKey) => deleteSiteStatement(db, siteKey),
    isOriginRegistered: (origin) => isOriginRegistered(db, origin),
  };
}
