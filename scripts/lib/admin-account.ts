import { readFileSync } from "node:fs";
import type { ScryptParams } from "../../src/config";

/**
 * The password-hash parameters of a deployment: `[env.<name>.vars]` of wrangler.toml when that
 * environment sets them, else the top-level `[vars]`, else OWASP's ln=14 r=8 p=5.
 */
export function productionScryptParams(tomlPath: string, envName: string | null): ScryptParams {
  const found: Record<string, string> = {};
  const wanted = envName ? `env.${envName}.vars` : "vars";
  const tables: Record<string, Record<string, string>> = {};
  let current = "";
  for (const line of readFileSync(tomlPath, "utf8").split(/\r?\n/)) {
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (header) {
      current = header[1]!.trim();
      continue;
    }
    const kv = /^\s*(PASSWORD_SCRYPT_(?:LN|R|P))\s*=\s*"(\d+)"\s*$/.exec(line);
    if (kv) (tables[current] ??= {})[kv[1]!] = kv[2]!;
  }
  Object.assign(found, tables.vars ?? {}, tables[wanted] ?? {});
  const num = (key: string, fallback: number) => (found[key] ? Number(found[key]) : fallback);
  return { ln: num("PASSWORD_SCRYPT_LN", 14), r: num("PASSWORD_SCRYPT_R", 8), p: num("PASSWORD_SCRYPT_P", 5) };
}
