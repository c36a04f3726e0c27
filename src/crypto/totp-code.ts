import { Secret, TOTP } from "otpauth";

// RFC 6238 TOTP (SHA-1, 6 digits, 30 s): what every authenticator app speaks. Shared by admin and user TOTP.

export const TOTP_PERIOD_SECONDS = 30;

function totpFor(secretBase32: string, label = "", issuer = "Auth2"): TOTP {
  return new TOTP({ issuer, label, algorithm: "SHA1", digits: 6, period: TOTP_PERIOD_SECONDS, secret: Secret.fromBase32(secretBase32) });
}

/** A fresh 160-bit secret, base32. */
export function generateTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The otpauth:// URI an authenticator app scans. */
export function totpUri(secretBase32: string, label: string, issuer: string): string {
  return totpFor(secretBase32, label, issuer).toString();
}

/**
 * The time step a code belongs to (current step ± 1 for clock drift), or null when it matches none.
 * The caller must accept each step once (replay guard in the account's Durable Object).
 */
export function matchTotpStep(secretBase32: string, code: string, now: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totpFor(secretBase32).validate({ token: code, timestamp: now, window: 1 });
  if (delta === null) return null;
  return Math.floor(now / 1000 / TOTP_PERIOD_SECONDS) + delta;
}

/** The code for a time (tests and tooling). */
export function totpCodeAt(secretBase32: string, now: number): string {
  return totpFor(secretBase32).generate({ timestamp: now });
}
