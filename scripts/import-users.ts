// `npm run import-users -- FILE [--site SITE] [--remote] [--dry-run] [--on-conflict update|skip]
// [--env ENV] [--batch-size N] [--map OUT.csv] [--cli]`: imports users from the PHP Auth2 (CSV or
// JSON lines) into D1. Validates every row first and writes nothing if one is bad; then writes in
// batches, one transaction each. Re-running the same file changes nothing. See docs/migration.md.
import { readFileSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import { parseArgs } from "node:util";
import { buildIdMap } from "./lib/import/id-map";
import type { ExistingUser, OnConflict } from "./lib/import/plan";
import { planImport } from "./lib/import/plan";
import { detectFormat, readImport } from "./lib/import/read";
import { countBadLines, formatErrors, formatSummary, progressBar } from "./lib/import/report";
import { buildBatches, existingByEmailQueries, existingUsersQuery, sqlLiteral } from "./lib/import/sql";
import { describe, type ImportTarget, localTarget, wranglerTarget } from "./lib/import/targets";
import { validateRows } from "./lib/import/validate";

const USAGE =
  "usage: npm run import-users -- FILE [--site SITE] [--remote] [--env ENV] [--dry-run] [--on-conflict skip|update] [--batch-size N] [--map OUT.csv] [--cli]";
// Remote reads go in pages that keep each D1 API response small; the local database is read at once.
const PAGE_LOCAL = 1_000_000;
const PAGE_REMOTE = 5_000;
// A file whose emails fit in this many `email IN (…)` queries is looked up by email instead.
const MAX_EMAIL_QUERIES = 3;

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

const { values: opts, positionals } = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        site: { type: "string" },
        remote: { type: "boolean", default: false },
        "dry-run": { type: "boolean", default: false },
        "on-conflict": { type: "string", default: "skip" },
        env: { type: "string" },
        "batch-size": { type: "string", default: "25000" },
        map: { type: "string" },
        cli: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (err) {
    fail(`${(err as Error).message}\n${USAGE}`);
  }
})();
if (opts.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const file = positionals[0];
if (!file || positionals.length > 1) fail(USAGE);
const fileName = basename(file);
const onConflict = opts["on-conflict"] as OnConflict;
if (onConflict !== "skip" && onConflict !== "update") fail(`--on-conflict must be skip or update\n${USAGE}`);
const batchSize = Number(opts["batch-size"]);
if (!Number.isInteger(batchSize) || batchSize < 1) fail("--batch-size must be a positive integer");
const now = Date.now();
// Since the process started (module loading included), as an operator's stopwatch would count.
const elapsed = () => `${(performance.now() / 1000).toFixed(1)} s`;

// 1. Read and validate everything before touching the database.
let text: string;
try {
  text = readFileSync(file, "utf8");
} catch (err) {
  fail(`cannot read ${file}: ${(err as Error).message}`);
}
const format = detectFormat(file, text);
const read = readImport(text, format);
const { users, errors: rowErrors } = validateRows(read.rows, now);
const errors = [...read.errors, ...rowErrors];
process.stderr.write(`Read ${read.rows.length} row(s) from ${fileName} (${format}).\n`);
if (errors.length > 0) {
  process.stderr.write(`\n${countBadLines(errors)} bad row(s); nothing was written:\n${formatErrors(errors)}\n`);
  process.exit(1);
}

// The local database is opened in-process; the remote one (or the local one with --cli) is reached
// through `wrangler d1 execute`, one process per query and per batch file.
const target: ImportTarget =
  opts.remote || opts.cli ? wranglerTarget({ remote: opts.remote, env: opts.env }) : await localTarget(opts.env);
let exitCode = 0;
try {
  exitCode = await runImport(target);
} finally {
  await target.close();
}
process.exit(exitCode);

async function runImport(db: ImportTarget): Promise<number> {
  // 2. The site (recorded in the audit rows) should be a registered one.
  if (opts.site) {
    const found = await db.query(`SELECT site_key FROM sites WHERE site_key = ${sqlLiteral(opts.site)}`);
    if (found.length === 0) process.stderr.write(`warning: site "${opts.site}" is not registered in ${db.label}.\n`);
  }

  // 3. What is already there: by email for a small file, else every user, page by page. Under
  // --on-conflict skip only the emails matter, so only id and email are read.
  async function readExisting(idsOnly: boolean): Promise<Map<string, ExistingUser>> {
    const found = new Map<string, ExistingUser>();
    const byEmail = existingByEmailQueries(users.map((u) => u.email), idsOnly);
    if (byEmail.length <= MAX_EMAIL_QUERIES) {
      for (const query of byEmail) for (const row of await db.query<ExistingUser>(query)) found.set(row.email, row);
      return found;
    }
    const pageSize = opts.remote ? PAGE_REMOTE : PAGE_LOCAL;
    for (let after = ""; ; ) {
      const page = await db.query<ExistingUser>(existingUsersQuery(after, pageSize, idsOnly));
      for (const row of page) found.set(row.email, row);
      if (page.length < pageSize) break;
      after = page[page.length - 1]!.email;
    }
    return found;
  }
  const existing = await readExisting(onConflict === "skip");
  const plan = planImport(users, existing, onConflict, now);
  const batches = buildBatches(plan, { batchSize, siteKey: opts.site ?? null, source: fileName, now });

  if (opts["dry-run"]) {
    process.stderr.write(`\nDry run against ${db.label} (--on-conflict ${onConflict}); nothing was written.\n`);
    process.stdout.write(`${formatSummary(plan.counts, 0, true)}\n`);
    return 0;
  }

  // 4. Write, one transaction per batch. A failed batch rolls back; re-running the command resumes.
  const total = plan.inserts.length + plan.updates.length;
  const tty = process.stderr.isTTY;
  let done = 0;
  const show = (label: string) => {
    if (tty) process.stderr.write(`\r${progressBar(done, total)}  ${label}   `);
    else process.stderr.write(`${progressBar(done, total)}  ${label}\n`);
  };
  if (batches.length > 0) show(`writing to ${db.label}`);
  for (const [k, batch] of batches.entries()) {
    try {
      await db.run(batch);
    } catch (err) {
      process.stderr.write(
        `\n\nBatch ${k + 1}/${batches.length} failed and was rolled back (${describe(err)}); ${done} user(s) in earlier batches were written.\n` +
          "Fix the cause and run the same command again: it picks up where this run stopped.\n",
      );
      return 1;
    }
    done += batch.inserted + batch.updated;
    show(`batch ${k + 1}/${batches.length}, ${elapsed()}`);
  }
  if (tty && batches.length > 0) process.stderr.write("\n");

  // The id map is read back from D1, so it holds the ids that were really written.
  if (opts.map) {
    const ids = new Map([...(await readExisting(true))].map(([email, row]) => [email, row.id]));
    writeFileSync(opts.map, buildIdMap(users, ids));
    process.stderr.write(`Wrote the id map (external_id,email,auth_user_id) to ${opts.map}.\n`);
  }
  if (batches.length === 0) process.stderr.write(`\nNothing to write: ${db.label} already holds every user in the file (${elapsed()}, --on-conflict ${onConflict}).\n`);
  else process.stderr.write(`\nImported into ${db.label} in ${elapsed()} (--on-conflict ${onConflict}).\n`);
  process.stdout.write(`${formatSummary(plan.counts, 0, false)}\n`);
  return 0;
}
