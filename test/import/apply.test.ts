import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { buildIdMap } from "../../scripts/lib/import/id-map";
import { planImport } from "../../scripts/lib/import/plan";
import { readImport } from "../../scripts/lib/import/read";
import { buildBatches, existingByEmailQueries } from "../../scripts/lib/import/sql";
import { validateRows } from "../../scripts/lib/import/validate";
import { hashPassword, verifyPassword } from "../../src/crypto/password-hash";
import { toIdentity } from "../../src/services/users/identity";
import { findUserByEmail } from "../../src/store/users";
import { db } from "../helpers";
import { ARGON2ID_1, ARGON2ID_2, BCRYPT, importText } from "./import-helpers";

const cheap = { scrypt: { ln: 10, r: 8, p: 1 }, pepper: "test-pepper" };
const allUsers = async () => (await env.DB.prepare("SELECT * FROM users ORDER BY email").all()).results;

const CSV = [
  "external_id,email,name,status,password_hash,created_at,department,phone,email_verified",
  `101,Alice@Example.com,"Smith, Alice",active,${BCRYPT},2019-05-06 07:08:09,"R&D ""Lab""",+41 44 000,1`,
  `102,bob@example.com,Bob,,"${ARGON2ID_1}",1500000000,Sales,,0`,
  `103,carol@example.com,"O'Hara; Carol",active,,,Ops,,`,
  `104,dave@example.com,Dave,disabled,"${ARGON2ID_2}",,,,`,
  `105,erin@example.com,Erin,pending,,,,,`,
].join("\r\n");

beforeEach(async () => {
  await env.DB.prepare("DELETE FROM users").run();
  await env.DB.prepare("DELETE FROM audit_log").run();
});

describe("importing users into D1", () => {
  it("inserts every row with its fields, source import, and pending for users without a hash", async () => {
    const { plan, batches } = await importText("users.csv", CSV);
    expect(plan.counts).toEqual({ inserted: 5, updated: 0, unchanged: 0, skipped: 0, pendingWithoutHash: 2, activeWithoutHash: 1 });
    expect(batches).toHaveLength(3);

    const rows = await allUsers();
    expect(rows.map((r) => [r.email, r.status, r.source, r.external_id])).toEqual([
      ["alice@example.com", "active", "import", "101"],
      ["bob@example.com", "active", "import", "102"],
      ["carol@example.com", "pending", "import", "103"], // asked for active, has no hash
      ["dave@example.com", "disabled", "import", "104"],
      ["erin@example.com", "pending", "import", "105"],
    ]);
    const alice = await findUserByEmail(db(), "alice@example.com");
    expect(alice).toMatchObject({ name: "Smith, Alice", department: 'R&D "Lab"', phone: "+41 44 000", emailVerified: true, passwordHash: BCRYPT });
    expect(alice!.createdAt).toBe(Date.UTC(2019, 4, 6, 7, 8, 9));
    expect(alice!.id).toMatch(/^[0-9a-f]{32}$/);
    expect(toIdentity(alice!, "https://auth.test")).toMatchObject({ email: "alice@example.com", status: "active", created_at: "2019-05-06T07:08:09.000Z" });
    const carol = await findUserByEmail(db(), "carol@example.com");
    expect(carol).toMatchObject({ name: "O'Hara; Carol", passwordHash: null, passwordChangedAt: null, emailVerified: false });

    // One audit row per batch, committed with it.
    const audit = (await env.DB.prepare("SELECT actor_type, actor_id, action, site_key, outcome, details FROM audit_log ORDER BY id").all()).results;
    expect(audit.map((a) => JSON.parse(a.details as string))).toEqual([
      { batch: 1, inserted: 2, updated: 0, file: "users.csv" },
      { batch: 2, inserted: 2, updated: 0, file: "users.csv" },
      { batch: 3, inserted: 1, updated: 0, file: "users.csv" },
    ]);
    expect(audit[0]).toMatchObject({ actor_type: "system", actor_id: "import-users", action: "user_import", site_key: "legacy-php", outcome: "success" });
  });

  it("imported bcrypt and argon2id hashes verify as they are", async () => {
    await importText("users.csv", CSV);
    const stored = async (email: string) => (await findUserByEmail(db(), email))!.passwordHash!;
    expect(await verifyPassword("rasmuslerdorf", await stored("alice@example.com"), cheap)).toBe(true);
    expect(await verifyPassword("rasmuslerdorF", await stored("alice@example.com"), cheap)).toBe(false);
    expect(await verifyPassword("correct horse battery staple", await stored("bob@example.com"), cheap)).toBe(true);
    expect(await verifyPassword("pässwörd-ünïcode", await stored("dave@example.com"), cheap)).toBe(true);
  });

  it("is idempotent: the same file again changes nothing, under skip and under update", async () => {
    await importText("users.csv", CSV);
    const before = await allUsers();
    const auditBefore = (await env.DB.prepare("SELECT count(*) AS n FROM audit_log").first<{ n: number }>())!.n;

    const skip = await importText("users.csv", CSV, "skip", { now: Date.now() + 60_000 });
    expect(skip.plan.counts).toMatchObject({ inserted: 0, updated: 0, skipped: 5 });
    expect(skip.batches).toEqual([]);
    const update = await importText("users.csv", CSV, "update", { now: Date.now() + 120_000 });
    expect(update.plan.counts).toMatchObject({ inserted: 0, updated: 0, unchanged: 5 });
    expect(update.batches).toEqual([]);

    expect(await allUsers()).toEqual(before);
    expect((await env.DB.prepare("SELECT count(*) AS n FROM audit_log").first<{ n: number }>())!.n).toBe(auditBefore);
  });

  it("re-running a batch that already committed is harmless (inserts do nothing, updates set the same values, one audit row)", async () => {
    const first = await importText("users.csv", CSV);
    await env.DB.prepare("UPDATE users SET name = 'Changed' WHERE email = 'bob@example.com'").run();
    const second = await importText("users.csv", CSV, "update");
    expect(second.batches).toHaveLength(1);
    const before = await allUsers();
    const auditCount = async () => (await env.DB.prepare("SELECT count(*) AS n FROM audit_log").first<{ n: number }>())!.n;
    const auditBefore = await auditCount();
    for (const batch of [...first.batches, ...second.batches]) await env.DB.batch(batch.statements.map((s) => env.DB.prepare(s)));
    expect(await allUsers()).toEqual(before);
    expect(await auditCount()).toBe(auditBefore);
  });

  it("a batch that fails writes nothing at all", async () => {
    const read = readImport(CSV, "csv");
    const plan = planImport(validateRows(read.rows, Date.now()).users, new Map(), "skip", Date.now());
    const [batch] = buildBatches(plan, { batchSize: 10, now: Date.now() });
    const statements = [...batch!.statements, "INSERT INTO users (id) VALUES ('broken')"]; // NOT NULL violation
    await expect(env.DB.batch(statements.map((s) => env.DB.prepare(s)))).rejects.toThrow();
    expect(await allUsers()).toEqual([]);
    expect((await env.DB.prepare("SELECT count(*) AS n FROM audit_log").first<{ n: number }>())!.n).toBe(0);
  });

  it("--on-conflict skip leaves existing users alone; update applies the file's columns only", async () => {
    await importText("users.csv", CSV);
    const bobBefore = await findUserByEmail(db(), "bob@example.com");
    const changed = [
      "email,name,department,status,password_hash",
      `BOB@example.com,Robert,Finance,,`, // name + department change; empty hash keeps the stored one
      `erin@example.com,Erin,,active,${BCRYPT}`, // pending user gets a hash → active
      `frank@example.com,Frank,,,`, // new
    ].join("\n");

    const skip = await importText("changed.csv", changed, "skip");
    expect(skip.plan.counts).toMatchObject({ inserted: 1, updated: 0, skipped: 2 });
    expect(await findUserByEmail(db(), "bob@example.com")).toEqual(bobBefore);
    expect((await findUserByEmail(db(), "erin@example.com"))!.status).toBe("pending");

    const later = Date.now() + 60_000;
    const update = await importText("changed.csv", changed, "update", { now: later });
    expect(update.plan.counts).toMatchObject({ inserted: 0, updated: 2, unchanged: 1 });
    const bob = await findUserByEmail(db(), "bob@example.com");
    expect(bob).toEqual({ ...bobBefore, name: "Robert", department: "Finance", updatedAt: later });
    const erin = await findUserByEmail(db(), "erin@example.com");
    expect(erin).toMatchObject({ status: "active", passwordHash: BCRYPT, passwordChangedAt: later, department: null });

    // And once more: nothing left to change.
    const again = await importText("changed.csv", changed, "update", { now: later + 60_000 });
    expect(again.plan.counts).toMatchObject({ updated: 0, unchanged: 3 });
  });

  it("update never replaces a password set in Auth2 (scrypt) nor sends that user back to pending", async () => {
    await importText("users.csv", CSV);
    const own = await hashPassword("a password set in Auth2", cheap);
    await env.DB.prepare("UPDATE users SET password_hash = ?, status = 'active' WHERE email = 'erin@example.com'").bind(own).run();
    const file = `email,status,password_hash,phone\nerin@example.com,pending,${BCRYPT},+1 555\n`;
    const { plan } = await importText("again.csv", file, "update");
    expect(plan.counts).toMatchObject({ updated: 1 });
    const erin = await findUserByEmail(db(), "erin@example.com");
    expect(erin).toMatchObject({ passwordHash: own, status: "active", phone: "+1 555" });
  });

  it("finds existing users by email as well as by paging, and maps external ids to the new auth_user_ids", async () => {
    await importText("users.csv", CSV);
    expect(existingByEmailQueries(["a@x.io", "b@x.io", "c@x.io"], true, 60)).toHaveLength(3);
    const skip = await importText("users.csv", CSV, "skip", { byEmail: true });
    expect(skip.plan.counts).toMatchObject({ inserted: 0, skipped: 5 });
    const update = await importText("users.csv", CSV, "update", { byEmail: true });
    expect(update.plan.counts).toMatchObject({ updated: 0, unchanged: 5 });

    const ids = new Map((await allUsers()).map((r) => [r.email as string, r.id as string]));
    const users = validateRows(readImport(CSV, "csv").rows, Date.now()).users;
    const map = buildIdMap(users, ids).trim().split("\n");
    expect(map[0]).toBe("external_id,email,auth_user_id");
    expect(map[1]).toBe(`101,alice@example.com,${ids.get("alice@example.com")}`);
    expect(map).toHaveLength(6);
  });

  it("writes values wrangler would mangle (BEGIN TRANSACTION; COMMIT;) without spelling them out", async () => {
    const tricky = "begin  Transaction; x COMMIT; it's -- /* */";
    const file = `email,name,job_title\nt@example.com,"${tricky}",BEGIN TRANSACTION;\n`;
    const { batches } = await importText("tricky.csv", file);
    expect(batches[0]!.sql).not.toMatch(/BEGIN\s+TRANSACTION|COMMIT;/i);
    expect(await findUserByEmail(db(), "t@example.com")).toMatchObject({ name: tricky, jobTitle: "BEGIN TRANSACTION;" });
  });

  it("imports JSON lines the same way", async () => {
    const jsonl = [
      JSON.stringify({ email: "Grace@Example.com", name: "Grace", password_hash: BCRYPT, email_verified: true, created_at: "2018-01-01T00:00:00Z", locale: "en", timezone: "UTC" }),
      JSON.stringify({ email: "heidi@example.com", status: "active" }),
    ].join("\n");
    const { plan } = await importText("users.ndjson", jsonl);
    expect(plan.counts).toMatchObject({ inserted: 2, pendingWithoutHash: 1, activeWithoutHash: 1 });
    expect(await findUserByEmail(db(), "grace@example.com")).toMatchObject({ status: "active", emailVerified: true, locale: "en", timezone: "UTC", createdAt: Date.UTC(2018, 0, 1) });
    expect(await findUserByEmail(db(), "heidi@example.com")).toMatchObject({ status: "pending", passwordHash: null });
  });
});
