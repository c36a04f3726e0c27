import type { Config, Env, SitePolicy } from "../env";

/** What a site says about itself: its registry fields besides its key, policy and times. */
export interface SiteSettings {
  name: string;
  status: "active" | "inactive";
  allowed_origins: string[];
  reset_url: string | null;
  onboarding_url: string | null;
  branding: Branding;
}

/** A site as the routes see it after resolution: the registered record or the default policy. */
export interface ResolvedSite extends SiteSettings {
  site_key: string;
  registered: boolean;
  policy: SitePolicy;
}

export interface Branding {
  display_name?: string;
  logo_url?: string;
  primary_color?: string;
  support_email?: string;
  from_name?: string;
}

/** Who made a request and from where: passed to services for audit and limits. */
export interface RequestMeta {
  requestId: string;
  ip: string;
  userAgent: string;
}

/** The authenticated principal of a request (set by the session guards). */
export interface AuthContext {
  kind: "user" | "admin";
  principalId: string;
  sessionId: string;
  siteKey: string;
  factors: string[];
  createdAt: number;
  expiresAt: number;
  identity: { [key: string]: string | number | boolean | null };
  /** The presented token (to revoke exactly this session on logout). */
  token: string;
  via: "bearer" | "cookie";
}

export interface AppVariables {
  requestId: string;
  config: Config;
  body: Record<string, unknown>;
  site: ResolvedSite;
  meta: RequestMeta;
  auth: AuthContext;
}

export interface AppEnv {
  Bindings: Env;
  Variables: AppVariables;
}
