import type { IdentityRow } from "../../store/users";

/** The canonical identity payload (DESIGN.md): what apps and services see of a user. Never a hash or secret. */
export type Identity = {
  auth_user_id: string;
  email: string;
  email_verified: boolean;
  name: string;
  display_name: string | null;
  phone: string | null;
  job_title: string | null;
  department: string | null;
  locale: string | null;
  timezone: string | null;
  avatar_url: string | null;
  status: "pending" | "active" | "disabled";
  totp_enabled: boolean;
  created_at: string;
  updated_at: string;
  last_login_at: string | null;
};

const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());

export function avatarUrl(publicBaseUrl: string, userId: string, avatarKey: string | null): string | null {
  // The key is random per upload, so the URL changes when the picture does and can be cached hard.
  return avatarKey ? `${publicBaseUrl}/api/avatars/${encodeURIComponent(userId)}/${avatarKey}` : null;
}

export function toIdentity(user: IdentityRow, publicBaseUrl: string): Identity {
  return {
    auth_user_id: user.id,
    email: user.email,
    email_verified: user.emailVerified,
    name: user.name,
    display_name: user.displayName,
    phone: user.phone,
    job_title: user.jobTitle,
    department: user.department,
    locale: user.locale,
    timezone: user.timezone,
    avatar_url: avatarUrl(publicBaseUrl, user.id, user.avatarKey),
    status: user.status,
    totp_enabled: user.totpEnabledAt != null,
    created_at: iso(user.createdAt)!,
    updated_at: iso(user.updatedAt)!,
    last_login_at: iso(user.lastLoginAt),
  };
}
