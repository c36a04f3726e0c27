import { hashKind } from "../../../src/crypto/password-hash";
import { generateId } from "../../../src/crypto/random";
import type { ImportUser, UserStatus } from "./validate";

// Decides, for every valid row, what the import does: insert a new user, update an existing one, or
// leave it (skipped under --on-conflict skip, unchanged when the update would change nothing). The
// plan is made against the users already in D1, so a second run of the same file writes nothing.

export type OnConflict = "skip" | "update";

/** The users columns the importer reads and writes (snake_case, as in D1). */
export interface UserColumns {
  id: string;
  email: string;
  email_verified: number;
  name: string;
  display_name: string | null;
  phone: string | null;
  job_title: string | null;
  department: string | null;
  locale: string | null;
  timezone: string | null;
  status: UserStatus;
  password_hash: string | null;
  password_changed_at: number | null;
  source: string;
  external_id: string | null;
  created_at: number;
  updated_at: number;
}

export type ExistingUser = Pick<
  UserColumns,
  "id" | "email" | "email_verified" | "name" | "display_name" | "phone" | "job_title" | "department" | "locale" | "timezone" | "status" | "password_hash" | "external_id" | "created_at"
>;

export interface PlannedUpdate {
  id: string;
  line: number;
  set: Partial<UserColumns>;
}

export interface ImportPlan {
  inserts: UserColumns[];
  updates: PlannedUpdate[];
  counts: {
    inserted: number;
    updated: number;
    unchanged: number;
    skipped: number;
    /** Written users left `pending` with no password: they set one through onboarding. */
    pendingWithoutHash: number;
    /** Rows asking for `active` without a usable hash, written as `pending` instead. */
    activeWithoutHash: number;
  };
}

const PROFILE: readonly (keyof ImportUser & keyof ExistingUser)[] = ["name", "display_name", "phone", "job_title", "department", "locale", "timezone", "external_id", "created_at"];

export function planImport(users: ImportUser[], existing: Map<string, ExistingUser>, onConflict: OnConflict, now: number): ImportPlan {
  const plan: ImportPlan = {
    inserts: [],
    updates: [],
    counts: { inserted: 0, updated: 0, unchanged: 0, skipped: 0, pendingWithoutHash: 0, activeWithoutHash: 0 },
  };
  for (const user of users) {
    const current = existing.get(user.email);
    if (!current) {
      const row = newUserRow(user, now);
      plan.inserts.push(row);
      plan.counts.inserted++;
      countPending(plan, row.status, row.password_hash, user.status === "active" && !row.password_hash);
      continue;
    }
    if (onConflict === "skip") {
      plan.counts.skipped++;
      continue;
    }
    const { set, status, hash, demoted } = updateFor(user, current);
    if (Object.keys(set).length === 0) {
      plan.counts.unchanged++;
      continue;
    }
    if ("password_hash" in set) set.password_changed_at = now;
    set.updated_at = now;
    plan.updates.push({ id: current.id, line: user.line, set });
    plan.counts.updated++;
    countPending(plan, status, hash, demoted);
  }
  return plan;
}

function countPending(plan: ImportPlan, status: UserStatus, hash: string | null, demoted: boolean) {
  if (status === "pending" && !hash) plan.counts.pendingWithoutHash++;
  if (demoted) plan.counts.activeWithoutHash++;
}

/** A new user: no hash → pending (onboarding); status defaults to active with a hash. */
export function newUserRow(user: ImportUser, now: number): UserColumns {
  const hash = user.password_hash ?? null;
  let status: UserStatus = user.status ?? (hash ? "active" : "pending");
  if (status === "active" && !hash) status = "pending";
  return {
    id: generateId(),
    email: user.email,
    email_verified: user.email_verified ? 1 : 0,
    name: user.name ?? "",
    display_name: user.display_name ?? null,
    phone: user.phone ?? null,
    job_title: user.job_title ?? null,
    department: user.department ?? null,
    locale: user.locale ?? null,
    timezone: user.timezone ?? null,
    status,
    password_hash: hash,
    password_changed_at: hash ? now : null,
    source: "import",
    external_id: user.external_id ?? null,
    created_at: user.created_at ?? now,
    updated_at: now,
  };
}

/**
 * The changes an update makes. The file wins for the columns it provides, with two exceptions that
 * protect what happened in Auth2 since: a password the user set here (scrypt) is never replaced, and
 * such a user is never put back to `pending`. An empty hash never removes a stored one.
 */
function updateFor(user: ImportUser, current: ExistingUser) {
  const set: Partial<UserColumns> = {};
  for (const key of PROFILE) {
    const value = user[key];
    if (value !== undefined && value !== current[key]) (set as Record<string, unknown>)[key] = value;
  }
  if (user.email_verified !== undefined && (user.email_verified ? 1 : 0) !== current.email_verified) set.email_verified = user.email_verified ? 1 : 0;

  const ownPassword = current.password_hash !== null && hashKind(current.password_hash) === "scrypt";
  let hash = current.password_hash;
  if (!ownPassword && user.password_hash) hash = user.password_hash;
  if (hash !== current.password_hash) set.password_hash = hash;

  let status: UserStatus = user.status ?? (user.password_hash ? "active" : current.status);
  if (ownPassword && status === "pending") status = current.status;
  let demoted = false;
  if (status === "active" && !hash) {
    status = "pending";
    demoted = true;
  }
  if (status !== current.status) set.status = status;
  return { set, status, hash, demoted };
}
