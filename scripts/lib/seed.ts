import { readDefaultPolicy } from "../../src/lib/site-policy";
import { createAdminsStore } from "../../src/store/admins";
import { createDb } from "../../src/store/db";
import { createSitesStore } from "../../src/store/sites";

export interface SeedInput {
  adminEmail: string;
  adminPasswordHash: string;
  now: number;
}

/**
 * Development seed, idempotent, through the Worker's own store functions: the dev admin (its
 * password follows .dev.vars on every start) and the demo site with its policy. Never run against
 * production (npm run dev and the e2e server only).
 */
export async function seedDevelopment(d1: D1Database, { adminEmail, adminPasswordHash, now }: SeedInput): Promise<void> {
  const db = createDb(d1);
  const admins = createAdminsStore(db);
  const admin = await admins.findByEmail(adminEmail);
  if (admin) await admins.update(admin.id, { passwordHash: adminPasswordHash, status: "active", updatedAt: now });
  else {
    await admins.insert({ id: "adm_dev", email: adminEmail, name: "Development admin", passwordHash: adminPasswordHash, passwordChangedAt: now, status: "active", createdAt: now, updatedAt: now });
  }
  const sites = createSitesStore(db);
  if (await sites.find("demo")) return;
  await sites.insert(
    {
      site_key: "demo",
      name: "Demo App",
      status: "active",
      allowed_origins: ["http://localhost:5173"],
      reset_url: "http://localhost:5173/reset-password",
      onboarding_url: "http://localhost:5173/onboarding",
      branding: { display_name: "Demo App", primary_color: "#2563eb", support_email: "support@example.com", from_name: "Demo App" },
      policy: { ...readDefaultPolicy({}), reset_mode: "both", twofa_mode: "optional" },
    },
    now,
  );
}
