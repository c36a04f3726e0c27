import type { Config, Env, SitePolicy } from "../env";

/** A site as the routes see it after resolution: the registered record or the default policy. */
export interface ResolvedSite {
  site_key: string;
  registered: boolean;
  name: string;
  status: "active" | "inactive";
  allowed_origins: string[];
  reset_url: string | null;
  onboarding_url: string | null;
  branding: Branding;
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

export interface AppVariables {
  requestId: string;
  config: Config;
  body: Record<string, unknown>;
  site: ResolvedSite;
  meta: RequestMeta;
}

export interface AppEnv {
  Bindings: Env;
  Variables: AppVariables;
}
