import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sqlString } from "./sql";

export { sqlString };

/** Runs wrangler (the project's own, on the project's Node) and stops the script if it fails. */
export function runWrangler(args: string[], options: { quiet?: boolean } = {}): string {
  const result = spawnSync("wrangler", args, {
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024, // query results (import-users pages through users) exceed the 1 MiB default
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" },
    stdio: options.quiet ? ["ignore", "pipe", "pipe"] : ["ignore", "inherit", "inherit"],
  });
  if (result.status !== 0) {
    if (options.quiet) process.stderr.write(`${result.stdout ?? ""}${result.stderr ?? ""}`);
    throw new Error(`wrangler ${args.join(" ")} failed (exit ${result.status})`);
  }
  return result.stdout ?? "";
}

/** Executes SQL against the D1 database (local by default) through wrangler. */
export function executeSql(sql: string, options: { remote?: boolean; env?: string; persistTo?: string } = {}): void {
  const dir = mkdtempSync(join(tmpdir(), "auth2-sql-"));
  const file = join(dir, "statements.sql");
  writeFileSync(file, sql);
  const args = ["d1", "execute", "DB", options.remote ? "--remote" : "--local", "--file", file];
  if (options.env) args.push("--env", options.env);
  if (options.persistTo) args.push("--persist-to", options.persistTo);
  runWrangler(args, { quiet: true });
}


/** Runs one read-only SQL command (through --command, so it works locally and remotely) and returns its rows. */
export function querySql<T = Record<string, unknown>>(sql: string, options: { remote?: boolean; env?: string } = {}): T[] {
  const args = ["d1", "execute", "DB", options.remote ? "--remote" : "--local", "--command", sql, "--json"];
  if (options.env) args.push("--env", options.env);
  const output = runWrangler(args, { quiet: true });
  const parsed = JSON.parse(output) as { results?: T[] }[];
  return parsed.flatMap((r) => r.results ?? []);
}
