import type { SitePolicy } from "./site-policy";

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
