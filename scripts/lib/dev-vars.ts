import { existsSync, readFileSync } from "node:fs";

/** Reads KEY=VALUE lines (.dev.vars format). */
export function readDevVars(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  const out: Record<string, string> = {};
  for (const line of readFileSync(path, "utf8").split(/\r?\n/)) {
    const m = /^\s*([A-Z0-9_]+)\s*=\s*(.*)\s*$/.exec(line);
    if (m) out[m[1]!] = m[2]!.replace(/^"(.*)"$/, "$1");
  }
  return out;
}

/** Reads `KEY = "value"` pairs of the [vars] table of wrangler.toml (top-level environment only). */
export function readWranglerVars(path: string): Record<string, string> {
  const out: Record<string, string> = {};
  let inVars = false;
  for (const line of readFileSync(path, "utf8").split(/\r?\n/)) {
    if (/^\s*\[/.test(line)) inVars = /^\s*\[vars\]\s*$/.test(line);
    else if (inVars) {
      const m = /^\s*([A-Z0-9_]+)\s*=\s*"(.*)"\s*$/.exec(line);
      if (m) out[m[1]!] = m[2]!;
    }
  }
  return out;
}
