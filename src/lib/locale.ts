// Checks of the profile fields that name a time zone or a locale (staff profile and admin user edits).

const LOCALE = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/;

/** Whether the runtime knows `value` as an IANA time zone (e.g. Europe/Berlin). */
export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** The canonical form of a BCP 47 locale tag (`en-us` → `en-US`), or null for anything else. */
export function canonicalLocale(value: string): string | null {
  if (!LOCALE.test(value)) return null;
  try {
    return Intl.getCanonicalLocales(value)[0] ?? null;
  } catch {
    return null;
  }
}
