import { dictionary } from "@zxcvbn-ts/language-common";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_FLOOR } from "../lib/site-policy";

// Common-password list: the "passwords-common" dictionary of @zxcvbn-ts/language-common (MIT
// licence, https://github.com/zxcvbn-ts/zxcvbn), about 30 000 of the most used passwords from
// public breach corpora, ordered by frequency. Bundled with the Worker; no network at run time.

let common: Set<string> | null = null;

function commonPasswords(): Set<string> {
  if (!common) common = new Set((dictionary["passwords-common"] as string[]).map((p) => p.toLowerCase()));
  return common;
}

export function commonPasswordCount(): number {
  return commonPasswords().size;
}

export type PasswordProblem = "password_too_short" | "password_too_long" | "password_too_common";

/**
 * Checks a new password: NFC-normalised length between the site's minimum (never below 8) and 256
 * code points, no truncation, no composition rules, and not on the common-password list.
 */
export function checkPasswordRules(password: string, minLength = PASSWORD_MIN_FLOOR): PasswordProblem | null {
  const normalised = password.normalize("NFC");
  const length = [...normalised].length;
  if (length < Math.max(PASSWORD_MIN_FLOOR, minLength)) return "password_too_short";
  if (length > PASSWORD_MAX_LENGTH) return "password_too_long";
  if (commonPasswords().has(normalised.toLowerCase())) return "password_too_common";
  return null;
}
