import { hashKind } from "../../../src/crypto/password-hash";
import { normaliseEmail } from "../../../src/lib/email";
import { canonicalLocale, isTimeZone } from "../../../src/lib/locale";
import type { LineError, RawRow, RawValue } from "./read";

// Row validation for the user import. Every row is checked before anything is written; a row either
// becomes an ImportUser or yields one error per bad field, with its line number.

export type UserStatus = "pending" | "active" | "disabled";
export const STATUSES: readonly UserStatus[] = ["pending", "active", "disabled"];

/** Maximum lengths (characters) of the text columns: the same as a profile update allows (services/profile.ts). */
export const FIELD_LIMITS = {
  name: 100,
  display_name: 100,
  phone: 32,
  job_title: 100,
  department: 100,
  locale: 35,
  timezone: 64,
  external_id: 128,
  password_hash: 512,
} as const;

type TextField = "display_name" | "phone" | "job_title" | "department" | "locale" | "timezone" | "external_id";
const TEXT_FIELDS: readonly TextField[] = ["display_name", "phone", "job_title", "department", "locale", "timezone", "external_id"];

/** A valid row. A key is present only when the row provides that column (on update, absent columns stay as they are). */
export interface ImportUser {
  line: number;
  email: string;
  name?: string;
  display_name?: string | null;
  phone?: string | null;
  job_title?: string | null;
  department?: string | null;
  locale?: string | null;
  timezone?: string | null;
  external_id?: string | null;
  email_verified?: boolean;
  created_at?: number;
  /** The status the file asks for (null when the column is empty). */
  status?: UserStatus | null;
  /** A bcrypt or argon2id PHC string, kept as it is (null when empty). */
  password_hash?: string | null;
}

export interface ValidationResult {
  users: ImportUser[];
  errors: LineError[];
}

// Bcrypt costs above this take seconds in a Worker at every login; such rows must onboard instead.
const MAX_BCRYPT_COST = 14;
// Same bounds verifyPassword applies; a hash outside them would never verify.
const ARGON2ID = /^\$argon2id\$v=(16|19)\$m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/]{11,}={0,2}\$[A-Za-z0-9+/]{16,}={0,2}$/;
// Control characters never belong in a profile field (they end up in mail headers and logs). Line
// breaks and tabs, common in old free-text columns, are folded into one space; anything else is refused.
const LINE_BREAKS = /\s*[\r\n\t]+\s*/g;
const CONTROL = /[\u0000-\u001f\u007f]/;
const EPOCH_DIGITS = /^\d{1,16}$/;
// ISO 8601 date-time, or MySQL's "YYYY-MM-DD HH:MM:SS" (read as UTC), or a bare date.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export function validateRows(rows: RawRow[], now: number): ValidationResult {
  const users: ImportUser[] = [];
  const errors: LineError[] = [];
  const firstLine = new Map<string, number>();
  for (const row of rows) {
    const rowErrors: LineError[] = [];
    const fail = (field: string, message: string) => rowErrors.push({ line: row.line, field, message });
    const v = row.values;
    const user: ImportUser = { line: row.line, email: "" };

    const email = normaliseEmail(typeof v.email === "string" ? v.email : "");
    if (!email) fail("email", v.email == null || v.email === "" ? "is required" : "is not a valid email address");
    else {
      const seen = firstLine.get(email);
      if (seen !== undefined) fail("email", `duplicate of line ${seen} (emails compare trimmed and lower-cased)`);
      else firstLine.set(email, row.line);
      user.email = email;
    }

    if ("name" in v) {
      const name = readText(v.name, "name", FIELD_LIMITS.name, fail);
      if (name !== undefined) user.name = name ?? "";
    }
    for (const field of TEXT_FIELDS) {
      if (!(field in v)) continue;
      const value = readText(v[field], field, FIELD_LIMITS[field], fail);
      if (value === undefined) continue;
      if (field === "locale" && value !== null) {
        // Stored in canonical form, as the Worker stores it (de_ch, de-ch → de-CH).
        const locale = canonicalLocale(value.replace(/_/g, "-"));
        if (locale === null) fail(field, "is not a language tag such as en or de-CH");
        else user.locale = locale;
      } else if (field === "timezone" && value !== null && !knownTimeZone(value)) fail(field, "is not an IANA time zone such as Europe/Zurich");
      else user[field] = value;
    }

    if ("status" in v) {
      const raw = v.status == null ? "" : String(v.status).trim().toLowerCase();
      if (raw === "") user.status = null;
      else if ((STATUSES as readonly string[]).includes(raw)) user.status = raw as UserStatus;
      else fail("status", `must be one of ${STATUSES.join(", ")}`);
    }

    if ("password_hash" in v) {
      const hash = v.password_hash == null ? "" : String(v.password_hash).trim();
      if (hash === "") user.password_hash = null;
      else {
        const problem = checkHash(hash);
        if (problem) fail("password_hash", problem);
        else user.password_hash = hash;
      }
    }

    if ("email_verified" in v) {
      const flag = readFlag(v.email_verified);
      if (flag === "bad") fail("email_verified", "must be true/false, 1/0 or yes/no");
      else if (flag !== undefined) user.email_verified = flag;
    }

    if ("created_at" in v) {
      const at = readTime(v.created_at, now);
      if (at === "bad") fail("created_at", "must be an ISO 8601 date-time or a Unix epoch (seconds or milliseconds), not in the future");
      else if (at !== undefined) user.created_at = at;
    }

    if (rowErrors.length) errors.push(...rowErrors);
    else users.push(user);
  }
  return { users, errors };
}

/** Why a password hash cannot be imported, or null when it can be kept as it is. */
export function checkHash(hash: string): string | null {
  if (hash.length > FIELD_LIMITS.password_hash) return "is too long";
  const kind = hashKind(hash);
  if (kind === "bcrypt") {
    const cost = Number(hash.slice(4, 6));
    if (cost < 4 || cost > MAX_BCRYPT_COST) return `bcrypt cost ${cost} is outside 4..${MAX_BCRYPT_COST} (leave the hash empty: the user onboards)`;
    return null;
  }
  if (kind === "argon2id") {
    const m = ARGON2ID.exec(hash);
    if (!m) return "is not a well-formed $argon2id$ PHC string";
    const [mem, t, p] = [Number(m[2]), Number(m[3]), Number(m[4])];
    if (mem < 8 || mem > 262144 || t < 1 || t > 16 || p < 1 || p > 16) return "argon2id parameters are outside m ≤ 262144, t ≤ 16, p ≤ 16";
    return null;
  }
  return "is not a bcrypt ($2y$/$2a$/$2b$) or $argon2id$ hash";
}

/** undefined: error already reported; null: empty; else the trimmed text. */
function readText(value: RawValue | undefined, field: string, max: number, fail: (f: string, m: string) => void): string | null | undefined {
  if (value == null) return null;
  if (typeof value === "boolean") {
    fail(field, "must be text");
    return undefined;
  }
  const text = String(value).replace(LINE_BREAKS, " ").trim().normalize("NFC");
  if (text === "") return null;
  if (CONTROL.test(text)) {
    fail(field, "contains control characters");
    return undefined;
  }
  if ([...text].length > max) {
    fail(field, `is longer than ${max} characters`);
    return undefined;
  }
  return text;
}

function readFlag(value: RawValue | undefined): boolean | undefined | "bad" {
  if (value == null) return undefined;
  if (typeof value === "boolean") return value;
  const text = String(value).trim().toLowerCase();
  if (text === "") return undefined;
  if (["1", "true", "yes", "y"].includes(text)) return true;
  if (["0", "false", "no", "n"].includes(text)) return false;
  return "bad";
}

/** Milliseconds since the epoch. Epoch numbers below 10^11 are seconds (PHP's time()). */
function readTime(value: RawValue | undefined, now: number): number | undefined | "bad" {
  if (value == null) return undefined;
  if (typeof value === "boolean") return "bad";
  const text = String(value).trim();
  if (text === "") return undefined;
  let ms: number;
  if (EPOCH_DIGITS.test(text)) {
    const n = Number(text);
    ms = n < 1e11 ? n * 1000 : n;
  } else if (DATE_TIME.test(text)) {
    const iso = text.replace(" ", "T");
    // A date-time without a zone is read as UTC (Date.parse would use the machine's zone).
    ms = Date.parse(/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(iso) ? `${iso}Z` : iso);
  } else return "bad";
  if (!Number.isFinite(ms) || ms <= 0 || ms > now + 86_400_000) return "bad";
  return Math.floor(ms);
}

const zones = new Map<string, boolean>();

/** isTimeZone, remembered per zone (a file repeats a handful of zones over many rows). */
function knownTimeZone(zone: string): boolean {
  let known = zones.get(zone);
  if (known === undefined) {
    known = isTimeZone(zone);
    zones.set(zone, known);
  }
  return known;
}
