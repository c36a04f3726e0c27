import type { Config, SitePolicy } from "../env";
import { generateId } from "../crypto/random";
import { AppError } from "../lib/errors";
import type { RequestMeta, SiteSettings } from "../lib/types";
import type { Db } from "../store/db";
import {
  type NewSite,
  type SiteRecord,
  deleteSiteStatement,
  findSite,
  insertSiteStatements,
  listSiteRecords,
  updateSiteStatement,
  upsertPolicyStatement,
} from "../store/sites";
import { auditStatement, auditStatementIfChanged } from "./audit";
import { diffFields, isUniqueViolation } from "./audit-diff";

// The admin site registry. No cache sits in front of sites (services/sites.ts reads D1 on every
// request), so a change applies to the very next request of that site.

export interface SiteView extends SiteSettings {
  site_key: string;
  policy: SitePolicy;
  created_at: string;
  updated_at: string;
}

/** What an admin may set: any of the settings, and any of the policy fields. */
export type SiteFields = { [K in keyof SiteSettings]?: SiteSettings[K] | undefined } & { policy?: Partial<SitePolicy> | undefined };

export interface AdminActor {
  adminId: string;
  meta: RequestMeta;
  now: number;
}

const SITE_FIELDS = ["name", "status", "allowed_origins", "reset_url", "onboarding_url", "branding"] as const;
const POLICY_FIELDS = ["login_mode", "reset_mode", "twofa_mode", "allow_self_registration", "password_min_length", "session_ttl_seconds", "idle_timeout_seconds"] as const;

export function toSiteView(site: SiteRecord, config: Config): SiteView {
  const { policy, created_at, updated_at, ...settings } = site;
  return {
    ...settings,
    policy: policy ?? config.defaultPolicy,
    created_at: new Date(created_at).toISOString(),
    updated_at: new Date(updated_at).toISOString(),
  };
}

/** A whole policy from defaults + changes; the idle timeout may not outlast the session. */
function mergePolicy(base: SitePolicy, changes: Partial<SitePolicy> | undefined): SitePolicy {
  const policy: SitePolicy = { ...base };
  for (const key of POLICY_FIELDS) {
    const value = changes?.[key];
    if (value !== undefined) (policy as unknown as Record<string, unknown>)[key] = value;
  }
  if (policy.idle_timeout_seconds > policy.session_ttl_seconds) {
    throw new AppError("invalid_request", { fields: { "policy.idle_timeout_seconds": "Must not exceed session_ttl_seconds" } });
  }
  return policy;
}

async function requireSite(db: Db, siteKey: string): Promise<SiteRecord> {
  const site = await findSite(db, siteKey);
  if (!site) throw new AppError("site_not_found");
  return site;
}

const actorEvent = (actor: AdminActor, action: string, siteKey: string) => ({
  actor: { type: "admin" as const, id: actor.adminId },
  action,
  target: { type: "site", id: siteKey },
  siteKey,
});

export async function createSite(db: Db, config: Config, input: SiteFields & { site_key?: string | undefined; name: string }, actor: AdminActor): Promise<SiteView> {
  const siteKey = input.site_key ?? `site_${generateId(6)}`;
  if (await findSite(db, siteKey)) throw new AppError("site_key_taken");
  const site: NewSite = {
    site_key: siteKey,
    name: input.name,
    status: input.status ?? "active",
    allowed_origins: input.allowed_origins ?? [],
    reset_url: input.reset_url ?? null,
    onboarding_url: input.onboarding_url ?? null,
    branding: input.branding ?? {},
    policy: mergePolicy(config.defaultPolicy, input.policy),
  };
  const { policy, ...fields } = site;
  try {
    await db.batch([...insertSiteStatements(db, site, actor.now), auditStatement(db, { ...actorEvent(actor, "site.create", siteKey), details: { after: { ...fields, policy } } }, actor.meta)]);
  } catch (err) {
    if (isUniqueViolation(err, "sites.site_key")) throw new AppError("site_key_taken");
    throw err;
  }
  return toSiteView({ ...site, created_at: actor.now, updated_at: actor.now }, config);
}

/** Changes site fields (and, when given, policy fields). Audited with before/after of what changed. */
export async function updateSite(db: Db, config: Config, siteKey: string, input: SiteFields, actor: AdminActor, action = "site.update"): Promise<SiteView> {
  const current = await requireSite(db, siteKey);
  const currentPolicy = current.policy ?? config.defaultPolicy;
  const next: SiteRecord = {
    ...current,
    name: input.name ?? current.name,
    status: input.status ?? current.status,
    allowed_origins: input.allowed_origins ?? current.allowed_origins,
    reset_url: input.reset_url !== undefined ? input.reset_url : current.reset_url,
    onboarding_url: input.onboarding_url !== undefined ? input.onboarding_url : current.onboarding_url,
    branding: input.branding ?? current.branding,
    policy: mergePolicy(currentPolicy, input.policy),
    updated_at: actor.now,
  };
  const siteDiff = diffFields({ ...current }, { ...next }, SITE_FIELDS);
  const policyDiff = diffFields({ ...currentPolicy }, { ...next.policy! }, POLICY_FIELDS);
  const details = {
    changed: [...siteDiff.changed, ...policyDiff.changed.map((k) => `policy.${k}`)],
    before: { ...siteDiff.before, ...(policyDiff.changed.length ? { policy: policyDiff.before } : {}) },
    after: { ...siteDiff.after, ...(policyDiff.changed.length ? { policy: policyDiff.after } : {}) },
  };
  await db.batch([
    updateSiteStatement(db, next, actor.now),
    upsertPolicyStatement(db, siteKey, next.policy!, actor.now),
    auditStatement(db, { ...actorEvent(actor, action, siteKey), details }, actor.meta),
  ]);
  return toSiteView(next, config);
}

export async function deleteSite(db: Db, siteKey: string, actor: AdminActor): Promise<void> {
  const current = await requireSite(db, siteKey);
  const { created_at: _c, updated_at: _u, ...before } = current;
  // Parallel deletes: only the request whose DELETE removed the row audits it; the others answer 404.
  const [deleted] = await db.batch([
    deleteSiteStatement(db, siteKey),
    auditStatementIfChanged(db, { ...actorEvent(actor, "site.delete", siteKey), details: { before } }, actor.meta),
  ]);
  if (!deleted.meta.changes) throw new AppError("site_not_found");
}

export async function listSites(db: Db, config: Config): Promise<SiteView[]> {
  return (await listSiteRecords(db)).map((s) => toSiteView(s, config));
}
