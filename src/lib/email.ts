/**
 * Normalises an email for lookups and uniqueness: trimmed, NFC, lower-cased. Returns null for
 * anything that is not one plausible address (no CR/LF, no commas or spaces, one @, ≤ 254 chars),
 * so "a@x.com, b@y.com" or header-injection attempts never reach storage or mail.
 */
export function normaliseEmail(input: unknown): string | null {
  if (typeof input !== "string") return null;
  const email = input.trim().normalize("NFC").toLowerCase();
  if (email.length < 3 || email.length > 254) return null;
  if (!/^[^\s@,;<>()[\]\\"\u0000-\u001f\u007f]+@[^\s@,;<>()[\]\\"\u0000-\u001f\u007f]+\.[^\s@,;<>()[\]\\"\u0000-\u001f\u007f]+$/u.test(email)) return null;
  return email;
}

/** "jane.doe@example.com" → "j******e@example.com": enough for a user to recognise, not to harvest. */
export function maskEmail(email: string): string {
  const [local = "", domain = ""] = email.split("@");
  const shown = local.length <= 2 ? local.slice(0, 1) + "*" : `${local[0]}${"*".repeat(Math.min(6, local.length - 2))}${local[local.length - 1]}`;
  return `${shown}@${domain}`;
}
