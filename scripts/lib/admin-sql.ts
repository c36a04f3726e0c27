// The SQL admin:create runs (no Node imports: the tests run it against D1 in workerd).
import { sqlString } from "./sql";

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

/**
 * Break-glass: a new password, TOTP off, status active; audited. `sessions_valid_after` ends every
 * session the admin had: this runs against D1 from a terminal and cannot reach the admin's Durable
 * Object, so requireAdminSession checks the column on every admin request (middleware/session.ts).
 */
export function resetAdminSql(a: Omit<AdminInsert, "name">): string {
  return `UPDATE admins SET password_hash = ${sqlString(a.passwordHash)}, password_changed_at = ${a.now}, totp_secret_enc = NULL, totp_enabled_at = NULL,
  recovery_codes = NULL, status = 'active', sessions_valid_after = ${a.now}, updated_at = ${a.now} WHERE id = ${sqlString(a.id)};
INSERT INTO audit_log (at, actor_type, actor_id, action, target_type, target_id, outcome, details)
VALUES (${a.now}, 'system', 'admin:create', 'admin.reset_password', 'admin', ${sqlString(a.id)}, 'success', '{"via":"admin:create --reset-password","totp_disabled":true,"sessions_ended":true}');
`;
}
