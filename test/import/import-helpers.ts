import { env } from "cloudflare:test";
import { expect } from "vitest";
import { type ExistingUser, type OnConflict, planImport } from "../../scripts/lib/import/plan";
import { detectFormat, readImport } from "../../scripts/lib/import/read";
import { buildBatches, existingByEmailQueries, existingUsersQuery } from "../../scripts/lib/import/sql";
import { validateRows } from "../../scripts/lib/import/validate";

/** PHP password_hash() vectors (see test/foundation/password.test.ts) and their passwords. */
export const BCRYPT = "$2y$10$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a"; // "rasmuslerdorf"
export const ARGON2ID_1 = "$argon2id$v=19$m=4096,t=3,p=1$YXV0aDItaW1wb3J0LXNhbHQ$iiZGZ2MeLBvab4o6247s7rm5U8+0fRRb+1GIrSg382g"; // "correct horse battery staple"
export const ARGON2ID_2 = "$argon2id$v=19$m=8192,t=2,p=2$YXV0aDItaW1wb3J0LXNhbHQ$rOSrZmv1SiaENEgao6L3BSn2HPZECA42B3YnzfYSImw"; // "pässwörd-ünïcode"

/**
 * The import as `npm run import-users` runs it, with env.DB in place of wrangler: read, validate, look
 * up what exists (paged, or by email), plan, and run each batch as one D1 batch (what
 * `wrangler d1 execute --file` does). Rows must be valid. Reusable by login tests that need imported users.
 */
export async function importText(fileName: string, text: string, onConflict: OnConflict = "skip", options: { batchSize?: number; now?: number; page?: number; byEmail?: boolean } = {}) {
  const now = options.now ?? Date.now();
  const read = readImport(text, detectFormat(fileName, text));
  const { users, errors } = validateRows(read.rows, now);
  expect([...read.errors, ...errors]).toEqual([]);
  const existing = new Map<string, ExistingUser>();
  const page = options.page ?? 2;
  if (options.byEmail) {
    // Tiny maxBytes: several IN queries, as a large file would need.
    for (const query of existingByEmailQueries(users.map((u) => u.email), onConflict === "skip", 120)) {
      for (const row of (await env.DB.prepare(query).all<ExistingUser>()).results) existing.set(row.email, row);
    }
  } else for (let after = ""; ; ) {
    const rows = (await env.DB.prepare(existingUsersQuery(after, page, onConflict === "skip")).all<ExistingUser>()).results;
    for (const row of rows) existing.set(row.email, row);
    if (rows.length < page) break;
    after = rows[rows.length - 1]!.email;
  }
  const plan = planImport(users, existing, onConflict, now);
  const batches = buildBatches(plan, { batchSize: options.batchSize ?? 2, siteKey: "legacy-php", source: fileName, now });
  for (const batch of batches) await env.DB.batch(batch.statements.map((s) => env.DB.prepare(s)));
  return { plan, batches };
}

