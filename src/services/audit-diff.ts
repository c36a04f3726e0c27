/** Before/after of the fields that changed, for an audit row's details (callers leave secrets out). */
export function diffFields<T extends Record<string, unknown>>(before: T, after: T, keys: readonly (keyof T & string)[]) {
  const out = { changed: [] as string[], before: {} as Record<string, unknown>, after: {} as Record<string, unknown> };
  for (const key of keys) {
    if (JSON.stringify(before[key]) === JSON.stringify(after[key])) continue;
    out.changed.push(key);
    out.before[key] = before[key];
    out.after[key] = after[key];
  }
  return out;
}

/** True when a storage error is a UNIQUE violation on `target` (e.g. "users.email"). */
export function isUniqueViolation(err: unknown, target: string): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const message = e instanceof Error ? e.message : String(e);
    if (message.includes("UNIQUE constraint failed") && message.includes(target)) return true;
  }
  return false;
}
