import { env, listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { call, createSite, json, mailCode, waitForMail } from "../helpers";
import { loseQueueSends, outboxRowsSince } from "../mail/outbox-helpers";
import { SoftAuthenticator } from "../passkeys/soft-authenticator";
import { adminSession, freshIp, openApiDocument, principal, seedUser } from "./fixtures";

// Secrets at rest: run the flows this build serves, keep every secret a client saw (passwords, codes,
// tokens, API-key and service-key secrets), then dump D1 (every table), KV (every CHALLENGES key and
// value), Durable Object storage (SQL tables and KV of every object) and R2 keys, and find none of them.
// mail_outbox (owed mail, sealed) is scanned like every other table, with rows in it at dump time.
// dev_outbox is the development mail sink: it holds the mails themselves (codes included) by design
// and is never written in production (MAIL_PROVIDER=log only), so it is left out of the D1 scan.

const SITE = "secretsite";
const PASSWORD = "Stored-Nowhere-In-Clear-7391";
const secrets = new Set<string>();
let paths: Set<string>;

function keep(value: unknown) {
  if (typeof value === "string" && value.length >= 6) secrets.add(value);
}

async function dumpD1(): Promise<string> {
  const { results } = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name NOT IN ('d1_migrations', 'dev_outbox')",
  ).all<{ name: string }>();
  const parts: string[] = [];
  for (const { name } of results) {
    const rows = await env.DB.prepare(`SELECT * FROM "${name}"`).all();
    parts.push(`${name}: ${JSON.stringify(rows.results)}`);
  }
  return parts.join("\n");
}

async function dumpKv(): Promise<string> {
  const parts: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.CHALLENGES.list({ cursor });
    for (const k of page.keys) parts.push(`${k.name} = ${await env.CHALLENGES.get(k.name)} ${JSON.stringify(k.metadata ?? null)}`);
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return parts.join("\n");
}

async function dumpDurableObjects(): Promise<string> {
  const parts: string[] = [];
  for (const ns of [env.USER_STATE, env.LIMITER] as unknown as DurableObjectNamespace[]) {
    for (const id of await listDurableObjectIds(ns)) {
      parts.push(
        await runInDurableObject(ns.get(id), (_obj, state) => {
          const out: string[] = [`object ${id.toString()} ${id.name ?? ""}`];
          const tables = state.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'sqlite_%'").toArray();
          for (const t of tables) out.push(`${t.name}: ${JSON.stringify(state.storage.sql.exec(`SELECT * FROM "${t.name}"`).toArray())}`);
          for (const [k, v] of state.storage.kv.list()) out.push(`kv ${k} = ${JSON.stringify(v)}`);
          return out.join("\n");
        }),
      );
    }
  }
  return parts.join("\n");
}

async function dumpR2(): Promise<string> {
  const listed = await env.AVATARS.list();
  return listed.objects.map((o) => `${o.key} ${JSON.stringify(o.customMetadata ?? {})}`).join("\n");
}

beforeAll(async () => {
  paths = new Set(Object.keys((await openApiDocument()).paths));
  await createSite(SITE, { policy: { allow_self_registration: true } });
});

describe("secrets at rest", () => {
  it("after every flow, no secret a client saw is stored in clear", async () => {
    keep(PASSWORD);
    // Sessions (fixture issue + a pending second step) and API keys over HTTP.
    const p = await principal();
    [p.session, p.apiKey, p.pending].forEach(keep);
    const created = await json(await call("/api/auth_api_keys_create", { json: { name: "rest" }, headers: { Authorization: `Bearer ${p.session}` } }));
    keep(created.secret);
    // Admin session, and a service key made over the admin API where it exists.
    const admin = await adminSession();
    keep(admin.token);
    if (paths.has("/api/admin/service_key_create")) {
      const res = await call("/api/admin/service_key_create", { json: { name: "rest", scopes: ["user_resolve"] }, headers: { Authorization: `Bearer ${admin.token}` } });
      expect(res.status).toBe(200);
      keep((await json(res)).secret);
    }
    // Registration: the password and the mailed code.
    const regEmail = `rest-reg-${Date.now()}@example.com`;
    let since = Date.now();
    const start = await call("/api/auth_register_start", { json: { site_key: SITE, email: regEmail, password: PASSWORD, name: "Rest" }, headers: { "CF-Connecting-IP": freshIp() } });
    expect(start.status).toBe(202);
    const regCode = mailCode(await waitForMail(regEmail, { since }));
    keep(regCode);
    expect((await call("/api/auth_register_verify", { json: { site_key: SITE, email: regEmail, code: regCode } })).status).toBe(200);
    // Sign-in with the new password (when login exists): the session token it hands out.
    if (paths.has("/api/auth_login")) {
      const res = await call("/api/auth_login", { json: { site_key: SITE, email: regEmail, password: PASSWORD }, headers: { "CF-Connecting-IP": freshIp() } });
      const body = await json(res);
      keep(body.session?.token);
      keep(body.challenge?.token);
    }
    // Passkeys (when they exist): WebAuthn challenges are stored only as hashes, the used ones not at
    // all; an unanswered one stays in its Limiter shard for the dump. The passkey sign-in's session token.
    if (paths.has("/api/auth_passkey_register_options")) {
      const bearer = { Authorization: `Bearer ${p.session}` };
      const reg = await json(await call("/api/auth_passkey_register_options", { json: {}, headers: bearer }));
      keep(reg.options.challenge);
      const authenticator = new SoftAuthenticator();
      const credential = await authenticator.register(reg.options, { origin: "https://auth.test" });
      expect((await call("/api/auth_passkey_register_verify", { json: { credential }, headers: bearer })).status).toBe(200);
      const signIn = await json(await call("/api/auth_passkey_login_options", { json: { site_key: SITE }, headers: { "CF-Connecting-IP": freshIp() } }));
      keep(signIn.options.challenge);
      const assertion = await authenticator.authenticate(signIn.options, { origin: "https://auth.test" });
      const done = await json(await call("/api/auth_passkey_login_verify", { json: { site_key: SITE, credential: assertion }, headers: { "CF-Connecting-IP": freshIp() } }));
      keep(done.session.token);
      const unanswered = await json(await call("/api/auth_passkey_login_options", { json: { site_key: SITE }, headers: { "CF-Connecting-IP": freshIp() } }));
      keep(unanswered.options.challenge);
    }
    // Reset and onboarding requests (when they exist): the mailed codes and link tokens.
    const other = await seedUser({ status: "pending", emailVerified: false });
    for (const [path, email] of [
      ["/api/auth_password_reset_request", regEmail],
      ["/api/auth_onboarding_request", other.email],
    ] as const) {
      if (!paths.has(path)) continue;
      since = Date.now();
      await call(path, { json: { site_key: SITE, email }, headers: { "CF-Connecting-IP": freshIp() } });
      const mail = await waitForMail(email, { since }).catch(() => null);
      if (!mail) continue;
      for (const m of mail.text.matchAll(/^(\d{6,10})$/gm)) keep(m[1]);
      for (const m of mail.text.matchAll(/[?&#](?:token|t|code)=([A-Za-z0-9_\-.%]{16,})/g)) keep(decodeURIComponent(m[1]!));
    }

    // Mail owed but never queued (the Worker died after answering) waits in mail_outbox, sealed: the
    // codes and link tokens it will carry must not be readable there either.
    const owedSince = Date.now();
    const dying = loseQueueSends();
    const owedReset = await seedUser();
    const owedOnboarding = await seedUser({ status: "pending", emailVerified: false });
    for (const [path, email] of [
      ["/api/auth_password_reset_request", owedReset.email],
      ["/api/auth_onboarding_request", owedOnboarding.email],
    ] as const) {
      if (!paths.has(path)) continue;
      expect((await call(path, { json: { site_key: SITE, email }, headers: { "CF-Connecting-IP": freshIp() } })).status).toBe(202);
    }
    dying.restore();
    for (const m of dying.lost) {
      const data = m.data as Record<string, unknown>;
      keep(data.code);
      if (typeof data.link === "string") keep(new URL(data.link).searchParams.get("token"));
    }
    const owedRows = await outboxRowsSince(owedSince);
    expect(owedRows.map((r) => r.id).sort()).toEqual(dying.lost.map((m) => m.id).sort());

    expect(secrets.size).toBeGreaterThanOrEqual(7);
    const dumps = { d1: await dumpD1(), kv: await dumpKv(), durable_objects: await dumpDurableObjects(), r2: await dumpR2() };
    expect(dumps.d1, "the D1 dump reads the rows").toContain(p.user.id);
    for (const row of owedRows) expect(dumps.d1, "the D1 dump reads mail_outbox").toContain(row.payload);
    expect(dumps.durable_objects.length).toBeGreaterThan(10);
    const leaks: string[] = [];
    for (const [where, text] of Object.entries(dumps)) {
      for (const secret of secrets) {
        // Six-digit codes can occur by chance inside hex digests: look for them as whole tokens only.
        const hit = /^\d+$/.test(secret) ? new RegExp(`(^|[^0-9a-f])${secret}([^0-9a-f]|$)`).test(text) : text.includes(secret);
        if (hit) leaks.push(`${where} holds ${secret.slice(0, 8)}…`);
      }
    }
    expect(leaks).toEqual([]);
  });
});
