import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { querySql, runWrangler } from "../wrangler";
import { openLocalD1 } from "./local-d1";
import type { SqlBatch } from "./sql";

// Where the import reads and writes. Node-only. Both run a batch as one transaction: a D1 batch()
// locally, `wrangler d1 execute --file` (D1's import: rolled back unless it completes) remotely.

export interface ImportTarget {
  readonly label: string;
  query<T>(sql: string): Promise<T[]>;
  run(batch: SqlBatch): Promise<void>;
  close(): Promise<void>;
}

/** The local database, opened once in-process (wrangler's getPlatformProxy). */
export async function localTarget(env?: string): Promise<ImportTarget> {
  const local = await openLocalD1(env);
  return {
    label: `local D1${env ? ` (env ${env})` : ""}`,
    async query<T>(sql: string) {
      return (await local.db.prepare(sql).all<T>()).results;
    },
    // The proxy talks HTTP to a local workerd; a reused connection can drop ("fetch failed") on a busy
    // machine. Every statement of a batch is safe to repeat (see sql.ts), so the batch is retried.
    async run(batch) {
      for (let attempt = 1; ; attempt++) {
        try {
          await local.db.batch(batch.statements.map((s) => local.db.prepare(s)));
          return;
        } catch (err) {
          if (attempt >= 3 || !/fetch failed|socket|ECONNRESET|other side closed/i.test(describe(err))) throw err;
          await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
        }
      }
    },
    close: () => local.close(),
  };
}

/** The message with its cause chain (undici puts the useful part in `cause`). */
export function describe(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err; e instanceof Error && parts.length < 4; e = e.cause) parts.push(e.message);
  return parts.join(": ") || String(err);
}

/** One wrangler process per query and per batch file: the only way to reach the remote database. */
export function wranglerTarget(options: { remote: boolean; env?: string }): ImportTarget {
  const dir = mkdtempSync(join(tmpdir(), "auth2-import-"));
  let n = 0;
  return {
    label: `${options.remote ? "remote" : "local"} D1${options.env ? ` (env ${options.env})` : ""} via wrangler d1 execute`,
    async query<T>(sql: string) {
      return querySql<T>(sql, options);
    },
    async run(batch) {
      const path = join(dir, `batch-${++n}.sql`);
      writeFileSync(path, batch.sql);
      try {
        const args = ["d1", "execute", "DB", options.remote ? "--remote" : "--local", "--file", path, "--yes"];
        if (options.env) args.push("--env", options.env);
        runWrangler(args, { quiet: true });
      } finally {
        rmSync(path, { force: true });
      }
    },
    async close() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
