/** True when a storage error is a UNIQUE violation on `target` (e.g. "users.email"), however drizzle wrapped it. */
export function isUniqueViolation(err: unknown, target: string): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const message = e instanceof Error ? e.message : String(e);
    if (message.includes("UNIQUE constraint failed") && message.includes(target)) return true;
  }
  return false;
}
