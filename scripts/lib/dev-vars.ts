import { appendFileSync, copyFileSync, existsSync, readFileSync } from "node:fs";

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

/**
 * Creates `path` from `example` when it is missing, and adds to an existing one every key the example
 * has and it lacks (a .dev.vars from before development mode moved out of wrangler.toml gets
 * ENVIRONMENT=development this way). Returns what it did, for the console.
 */
export function ensureDevVars(path: string, example: string): string[] {
  if (!existsSync(path)) {
    copyFileSync(example, path);
    return [`Created ${path} from ${example}`];
  }
  const have = readDevVars(path);
  const missing = Object.entries(readDevVars(example)).filter(([key]) => !(key in have));
  if (missing.length === 0) return [];
  const text = readFileSync(path, "utf8");
  appendFileSync(path, `${text.endsWith("\n") || text === "" ? "" : "\n"}${missing.map(([k, v]) => `${k}=${v}`).join("\n")}\n`);
  return [`Added ${missing.map(([k]) => k).join(", ")} to ${path} from ${example}`];
}
