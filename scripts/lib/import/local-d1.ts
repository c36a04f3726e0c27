import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { getPlatformProxy, unstable_readConfig } from "wrangler";

// The local D1 database `wrangler d1 execute --local` uses (.wrangler/state/v3), opened once through
// wrangler's own getPlatformProxy instead of one wrangler process per query: each process costs
// seconds of start-up, which is most of a 100 000-row import. Node-only (not used in tests).

export interface LocalD1 {
  db: D1Database;
  close(): Promise<void>;
}

/** `persistTo`: another local state directory (wrangler's --persist-to), e.g. the e2e server's own. */
export async function openLocalD1(env?: string, persistTo?: string): Promise<LocalD1> {
  const config = unstable_readConfig({ config: "wrangler.toml", env });
  const binding = config.d1_databases.find((d: { binding: string }) => d.binding === "DB");
  if (!binding) throw new Error('wrangler.toml has no D1 binding "DB"');
  // A config holding only the database, so no Worker, Durable Object or queue is started.
  const dir = mkdtempSync(join(tmpdir(), "auth2-import-config-"));
  const configPath = join(dir, "wrangler.json");
  writeFileSync(configPath, JSON.stringify({ name: "auth2-import", compatibility_date: config.compatibility_date, d1_databases: [binding] }));
  try {
    const path = persistTo ? resolve(persistTo, "v3") : resolve(".wrangler/state/v3");
    const proxy = await getPlatformProxy<{ DB: D1Database }>({ configPath, persist: { path } });
    return { db: proxy.env.DB, close: () => proxy.dispose() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
