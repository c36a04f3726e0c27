import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_ACTIVE_API_KEYS } from "../../src/services/keys/api-keys";
import { call, createSite, json, mailCode, waitForMail, testCtx } from "../helpers";
import { signedInUser } from "../staff/helpers";
import { makeApiKey, makeServiceKey } from "../service/helpers";
import { freshIp, openApiDocument } from "./fixtures";

// Replays and races: many requests at once must not get past a limit, spend a one-time code twice,
// or outlive a revocation.

let paths: Set<string>;
let verifyKey: string;

beforeAll(async () => {
  paths = new Set(Object.keys((await openApiDocument()).paths));
  verifyKey = (await makeServiceKey(["api_key_verify"])).secret;
  await createSite("racesite", { policy: { allow_self_registration: true } });
});

const verify = (apiKey: string) => call("/api/auth_api_key_verify", { json: { api_key: apiKey }, headers: { "X-Service-Key": verifyKey } });

describe("API keys under concurrency", () => {
  it(`parallel creation at the limit never exceeds ${MAX_ACTIVE_API_KEYS} active keys`, async () => {
    const me = await signedInUser();
    for (let i = 0; i < MAX_ACTIVE_API_KEYS - 3; i++) await makeApiKey(me.user.id, { name: `pre ${i}` });
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => me.post("/api/auth_api_keys_create", { name: `race ${i}` })));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(3);
    for (const r of results.filter((x) => x.status !== 200)) {
      expect(r.status).toBe(409);
      expect((await json(r)).error.code).toBe("api_key_limit_reached");
    }
    const row = await env.DB.prepare("SELECT COUNT(*) AS n FROM user_api_keys WHERE user_id = ? AND revoked_at IS NULL").bind(me.user.id).first<{ n: number }>();
    expect(row!.n).toBe(MAX_ACTIVE_API_KEYS);
    const listed = await json(await me.get("/api/auth_api_keys_list"));
    expect(listed.keys).toHaveLength(MAX_ACTIVE_API_KEYS);
  });

  it("a key revoked while verifies are in flight: every verify after the revoke returns says revoked", async () => {
    const me = await signedInUser();
    const created = await json(await me.post("/api/auth_api_keys_create", { name: "doomed" }));
    const secret = created.secret as string;
    expect((await json(await verify(secret))).valid).toBe(true);
    const inFlight = Array.from({ length: 20 }, () => verify(secret).then((r) => json(r)));
    const revoke = await me.post("/api/auth_api_keys_revoke", { id: created.key.id });
    expect(revoke.status).toBe(200);
    const during = await Promise.all(inFlight);
    for (const body of during) expect(body.valid === true || body.reason === "revoked").toBe(true);
    const after = await Promise.all(Array.from({ length: 20 }, () => verify(secret).then((r) => json(r))));
    for (const body of after) expect(body).toMatchObject({ valid: false, reason: "revoked" });
  });

  it("parallel revokes of one key: all succeed, one audit row for the change", async () => {
    const me = await signedInUser();
    const created = await json(await me.post("/api/auth_api_keys_create", { name: "twice" }));
    const results = await Promise.all(Array.from({ length: 6 }, () => me.post("/api/auth_api_keys_revoke", { id: created.key.id })));
    for (const r of results) expect(r.status).toBe(200);
    const rows = await env.DB.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'api_key.revoke' AND target_id = ?").bind(created.key.id).first<{ n: number }>();
    expect(rows!.n).toBe(1);
  });
});

describe("one-time codes under concurrency", () => {
  it("parallel registration verifies with the right code create exactly one account", async () => {
    if (!paths.has("/api/auth_register_verify")) return;
    const email = `race-reg-${Date.now()}@example.com`;
    const since = Date.now();
    const start = await call("/api/auth_register_start", {
      json: { site_key: "racesite", email, password: "Unguessable-Correct-Horse-42", name: "Race" },
      headers: { "CF-Connecting-IP": freshIp() },
    });
    expect(start.status).toBe(202);
    const code = mailCode(await waitForMail(email, { since }));
    const results = await Promise.all(
      Array.from({ length: 8 }, () => call("/api/auth_register_verify", { json: { site_key: "racesite", email, code }, headers: { "CF-Connecting-IP": freshIp() } })),
    );
    const ok = results.filter((r) => r.status >= 200 && r.status < 300);
    expect(ok).toHaveLength(1);
    for (const r of results.filter((x) => x.status >= 300)) expect([400, 401, 409, 410]).toContain(r.status);
    const row = await env.DB.prepare("SELECT COUNT(*) AS n FROM users WHERE email = ?").bind(email).first<{ n: number }>();
    expect(row!.n).toBe(1);
  });

  it("parallel sign-in factor verifies with the right code start exactly one session", async () => {
    if (!paths.has("/api/auth_factor_verify")) return;
    const { issueChallenge } = await import("../../src/services/challenges/challenges");
    const { seedUser } = await import("../sessions/fixtures");
    const user = await seedUser();
    const issued = await issueChallenge(testCtx(), { purpose: "login", owner: user.id, userId: user.id, siteKey: "racesite", email: user.email, factor: "email_otp", ttlSeconds: 600, withCode: true, enforceCooldown: false });
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        call("/api/auth_factor_verify", { json: { challenge_token: issued.token, code: issued.code }, headers: { "CF-Connecting-IP": freshIp() } }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200).length, JSON.stringify(statuses)).toBeLessThanOrEqual(1);
    for (const s of statuses.filter((x) => x !== 200)) expect([401, 403, 410]).toContain(s);
  });
});
