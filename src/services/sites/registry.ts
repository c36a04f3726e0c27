import type { Config } from "../../config";
import type { Ctx } from "../../context";
import { generateId } from "../../crypto/random";
import { AppError } from "../../lib/errors";
import { POLICY_KEYS, type SitePolicy } from "../../lib/site-policy";
import type { SiteSettings } from "../../lib/types";
import { isUniqueViolation } from "../../store/errors";
import type { NewSite, SiteRecord } from "../../store/sites";
import { diffFields } from "../audit/diff";
import { auditStatement, auditStatementIfChanged } from "../audit/record";

// The admin site registry. No cache sits in front of sites (sites/resolve.ts reads D1 on every
// request), so a change applies to the very next request of that site.

export interface SiteView extends SiteSettings {
  site_key: string;
  policy: SitePolicy;
  created_at: string;
  updated_at: string;
}

/** What an admin may set: any of the settings, and any of the policy fields. */
export type SiteFields = { [K in keyof SiteSettings]?: SiteSettings[K] | undefined } & { policy?: Partial<SitePolicy> | undefined };

const SITE_FIELDS = ["name", "status", "allowed_origins", "reset_url", "onboarding_url", "branding"] as const;

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
  for (const key of POLICY_KEYS) {
    const value = changes?.[key];
    if (value !== undefined) (policy as unknown as Record<string, unknown>)[key] = value;
  }
  if (policy.idle_timeout_seconds > policy.session_ttl_seconds) {
    throw new AppError("invalid_request", { fields: { "policy.idle_timeout_seconds": "Must not exceed session_ttl_seconds" } });
  }
  return policy;
}

async function requireSite(ctx: Ctx, siteKey: string): Promise<SiteRecord> {
  const site = await ctx.store.sites.find(siteKey);
  if (!site) throw new AppError("site_not_found");
  return site;
}

const actorEvent = (adminId: string, action: string, siteKey: string) => ({
  actor: { type: "admin" as const, id: adminId },
  action,
  target: { type: "site", id: siteKey },
  siteKey,
});

export async function createSite(ctx: Ctx, adminId: string, input: SiteFields & { site_key?: string | undefined; name: string }): Promise<SiteView> {
  const { config } = ctx;
  const siteKey = input.site_key ?? `site_${generateId(6)}`;
  if (await ctx.store.sites.find(siteKey)) throw new AppError("site_key_taken");
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
    await ctx.store.batch([...ctx.store.sites.insertStatements(site, ctx.now), auditStatement(ctx, { ...actorEvent(adminId, "site.create", siteKey), details: { after: { ...fields, policy } } })]);
  } catch (err) {
    if (isUniqueViolation(err, "sites.site_key")) throw new AppError("site_key_taken");
    throw err;
  }
  return toSiteView({ ...site, created_at: ctx.now, updated_at: ctx.now }, config);
}

/** Changes site fields (and, when given, policy fields). Audited with before/after of what changed. */
export async function updateSite(ctx: Ctx, adminId: string, siteKey: string, input: SiteFields, action = "site.update"): Promise<SiteView> {
  const { config } = ctx;
  const current = await requireSite(ctx, siteKey);
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
    updated_at: ctx.now,
  };
  const siteDiff = diffFields({ ...current }, { ...next }, SITE_FIELDS);
  const policyDiff = diffFields({ ...currentPolicy }, { ...next.policy! }, POLICY_KEYS);
  const details = {
    changed: [...siteDiff.changed, ...policyDiff.changed.map((k) => `policy.${k}`)],
    before: { ...siteDiff.before, ...(policyDiff.changed.length ? { policy: policyDiff.before } : {}) },
    after: { ...siteDiff.after, ...(policyDiff.changed.length ? { policy: policyDiff.after } : {}) },
  };
  await ctx.store.batch([
    ctx.store.sites.update(next, ctx.now),
    ctx.store.sites.upsertPolicy(siteKey, next.policy!, ctx.now),
    auditStatement(ctx, { ...actorEvent(adminId, action, siteKey), details }),
  ]);
  return toSiteView(next, config);
}

export async function deleteSite(ctx: Ctx, adminId: string, siteKey: string): Promise<void> {
  const current = await requireSite(ctx, siteKey);
  const { created_at: _c, updated_at: _u, ...before } = current;
  // Parallel deletes: only the request whose DELETE removed the row audits it; the others answer 404.
  const [deleted] = await ctx.store.batch([
    ctx.store.sites.delete(siteKey),
    auditStatementIfChanged(ctx, { ...actorEvent(adminId, "site.delete", siteKey), details: { before } }),
  ]);
  if (!deleted.meta.changes) throw new AppError("site_not_found");
}

export async function listSites(ctx: Ctx): Promise<SiteView[]> {
  return (await ctx.store.sites.list()).map((s) => toSiteView(s, ctx.config));
}
