import { sqlString } from "./sql";

export interface SeedInput {
  adminEmail: string;
  adminPasswordHash: string;
  now: number;
}

/**
 * Development seed, idempotent: the dev admin (its password follows .dev.vars on every start) and the
 * demo site with its policy. Never run against production (npm run dev only).
 */
export function seedSql({ adminEmail, adminPasswordHash, now }: SeedInput): string {
  const branding = JSON.stringify({ display_name: "Demo App", primary_color: "#2563eb", support_email: "support@example.com", from_name: "Demo App" });
  return `
INSERT INTO admins (id, email, name, password_hash, password_changed_at, status, created_at, updated_at)
VALUES ('adm_dev', ${sqlString(adminEmail)}, 'Development admin', ${sqlString(adminPasswordHash)}, ${now}, 'active', ${now}, ${now})
ON CONFLICT(email) DO UPDATE SET password_hash = excluded.password_hash, status = 'active', updated_at = excluded.updated_at;
INSERT INTO sites (site_key, name, status, allowed_origins, reset_url, onboarding_url, branding, created_at, updated_at)
VALUES ('demo', 'Demo App', 'active', '["http://localhost:5173"]', 'http://localhost:5173/reset-password', 'http://localhost:5173/onboarding', ${sqlString(branding)}, ${now}, ${now})
ON CONFLICT(site_key) DO NOTHING;
INSERT INTO site_policies (site_key, login_mode, reset_mode, twofa_mode, allow_self_registration, password_min_length, session_ttl_seconds, idle_timeout_seconds, updated_at)
VALUES ('demo', 'password', 'both', 'optional', 0, 8, 86400, 7200, ${now})
ON CONFLICT(site_key) DO NOTHING;
`;
}
