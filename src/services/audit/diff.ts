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
