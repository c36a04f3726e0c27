import { readFileSync } from "node:fs";
import type { ScryptParams } from "../../src/env";
import { sqlString } from "./wrangler";

/**
 * The password-hash parameters of a deployment: `[env.<name>.vars]` of wrangler.toml when that
 * environment sets them, else the top-level `[vars]`, else OWASP's ln=14 r=8 p=5.
 */
export function productionScryptParams(tomlPath: string, envName: string | null): ScryptParams {
  const found: Record<string, string> = {};
  const wanted = envName ? `env.${envName}.vars` : "vars";
  const tables: Record<string, Record<string, string>> = {};
  let current = "";
  for (const line of readFileSync(tomlPath, "utf8").split(/\r?\n/)) {
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (header) {
      current = header[1]!.trim();
      continue;
    }
    const kv = /^\s*(PASSWORD_SCRYPT_(?:LN|R|P))\s*=\s*"(\d+)"\s*$/.exec(line);
    if (kv) (tables[current] ??= {})[kv[1]!] = kv[2]!;
  }
  Object.assign(found, tables.vars ?? {}, tables[wanted] ?? {});
  const num = (key: string, fallback: number) => (found[key] ? Number(found[key]) : fallback);
  return { ln: num("PASSWORD_SCRYPT_LN", 14), r: num("PASSWORD_SCRYPT_R", 8), p: num("PASSWORD_SCRYPT_P", 5) };
}

export interface AdminInsert {
  id: string;
  email: string;
  name: string;
  passwordHash: string;
  now: number;
}

/** Creates the admin and its audit row. */
export function insertAdminSql(a: AdminInsert): string {
  const details = JSON.stringify({ via: "admin:create", email: a.email });
  return `INSERT INTO admins (id, email, name, password_hash, password_changed_at, status, created_at, updated_at)
VALUES (${sqlString(a.id)}, ${sqlString(a.email)}, ${sqlString(a.name)}, ${sqlString(a.passwordHash)}, ${a.now}, 'active', ${a.now}, ${a.now});
INSERT INTO audit_log (at, actor_type, actor_id, action, target_type, target_id, outcome, details)
VALUES (${a.now}, 'system', 'admin:create', 'admin.create', 'admin', ${sqlString(a.id)}, 'success', ${sqlString(details)});
`;
}

/** Break-glass: a new password, TOTP off, status active; audited. */
export function resetAdminSql(a: Omit<AdminInsert, "name">): string {
  return `UPDATE admins SET password_hash = ${sqlString(a.passwordHash)}, password_changed_at = ${a.now}, totp_secret_enc = NULL, totp_enabled_at = NULL,
  recovery_codes = NULL, status = 'active', updated_at = ${a.now} WHERE id = ${sqlString(a.id)};
INSERT INTO audit_log (at, actor_type, actor_id, action, target_type, target_id, outcome, details)
VALUES (${a.now}, 'system', 'admin:create', 'admin.reset_password', 'admin', ${sqlString(a.id)}, 'success', '{"via":"admin:create --reset-password","totp_disabled":true}');
`;
}
