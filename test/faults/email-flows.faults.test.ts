import { env } from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LINK_TTL_SECONDS } from "../../src/services/challenges/challenges";
import { issueEmailedChallenge } from "../../src/services/challenges/emailed";
import { findUserById } from "../../src/store/users";
import { type MailCapture, captureMail } from "../mail-capture";
import { call, createSite, db, testCtx, freshIp } from "../helpers";
import { auditRows, hashed, passwordMatches } from "../reset/fixtures";
import { seedUser, sessionFor } from "../sessions/fixtures";
import { callWith, sweep } from "./inject";

// Password reset and onboarding under a D1, KV or Durable Object failure at each storage step. After
// a 503 the account is in one of two whole states — untouched, or changed with its audit row, its old
// sessions ended and its link used up — and retrying (the 503 says "safe to retry") never
// half-applies: it completes fully, or answers 410 on an untouched account.

const OLD = "old password for faults 1";
const NEW = "brand new password for faults 2";
let mail: MailCapture;

beforeAll(async () => {
  await createSite("flt-reset", { policy: { reset_mode: "link" } });
  mail = captureMail();
});
afterAll(() => mail.restore());

async function linkFor(purpose: "reset" | "onboarding", user: { id: string; email: string }): Promise<string> {
  const issued = await issueEmailedChallenge(testCtx(), { purpose, owner: user.id, userId: user.id, siteKey: "flt-reset", email: user.email, link: true, withCode: false, ttlSeconds: LINK_TTL_SECONDS, enforceCooldown: false });
  return issued.token;
}

const me = (token: string) => call("/api/auth_me", { headers: { Authorization: `Bearer ${token}` } });

describe("password reset under storage faults", () => {
  it("request: a failure at any step answers 503 and mails nothing; the retry mails once", async () => {
    await sweep({
      setup: async () => ({ user: await seedUser({ passwordHash: await hashed(OLD) }), ip: freshIp() }),
      act: (e, f) => callWith(e, "/api/auth_password_reset_request", { json: { site_key: "flt-reset", email: f.user.email }, headers: { "CF-Connecting-IP": f.ip } }),
      okStatus: 202,
      verify: async (f) => {
        expect(mail.to(f.user.email, "password_reset")).toHaveLength(0);
        const retry = await call("/api/auth_password_reset_request", { json: { site_key: "flt-reset", email: f.user.email }, headers: { "CF-Connecting-IP": f.ip } });
        expect(retry.status).toBe(202);
        expect(mail.to(f.user.email, "password_reset")).toHaveLength(1);
        expect(await passwordMatches(f.user.id, OLD)).toBe(true);
      },
    });
  });

  it("complete: a failure at any step leaves the old password, or the new one recorded with every old session ended", async () => {
    const steps = await sweep({
      setup: async () => {
        const user = await seedUser({ passwordHash: await hashed(OLD) });
        const session = await sessionFor(user, { siteKey: "flt-reset" });
        return { user, session: session.token, token: await linkFor("reset", user), ip: freshIp() };
      },
      act: (e, f) => callWith(e, "/api/auth_password_reset_complete", { json: { site_key: "flt-reset", token: f.token, new_password: NEW }, headers: { "CF-Connecting-IP": f.ip } }),
      okStatus: 200,
      verify: async (f) => {
        const completed = () => auditRows("password_reset.completed").then((rows) => rows.filter((r) => r.target_id === f.user.id));
        const retry = () => call("/api/auth_password_reset_complete", { json: { site_key: "flt-reset", token: f.token, new_password: NEW }, headers: { "CF-Connecting-IP": f.ip } });
        if (await passwordMatches(f.user.id, NEW)) {
          // Changed: recorded once, the old session is dead, the link is used up.
          expect(await completed()).toHaveLength(1);
          expect((await me(f.session)).status).toBe(401);
          expect((await retry()).status).toBe(410);
        } else {
          expect(await passwordMatches(f.user.id, OLD)).toBe(true);
          expect(await completed()).toHaveLength(0);
          const r = await retry();
          expect([200, 410]).toContain(r.status);
          // A retry either completes the whole change or finds the link used up; never a half.
          expect(await passwordMatches(f.user.id, NEW)).toBe(r.status === 200);
          expect(await completed()).toHaveLength(r.status === 200 ? 1 : 0);
          if (r.status === 200) expect((await me(f.session)).status).toBe(401);
        }
      },
    });
    const labels = steps.map((s) => s.label).join("\n");
    expect(labels).toMatch(/d1 batch: update "users" set "password_hash".*insert into "audit_log"/i);
    expect(labels).toMatch(/do UserState\.revokeAllSessions/);
    // The challenge store (KV) steps were hit too: the record read and its removal.
    expect(labels).toMatch(/kv get challenge/);
    expect(labels).toMatch(/kv delete challenge/);
  });
});

describe("onboarding under storage faults", () => {
  it("complete: a failure at any step leaves the account pending without a password, or active with its audit row", async () => {
    await sweep({
      setup: async () => {
        const user = await seedUser({ status: "pending", emailVerified: false });
        return { user, token: await linkFor("onboarding", user), ip: freshIp() };
      },
      act: (e, f) => callWith(e, "/api/auth_onboarding_complete", { json: { site_key: "flt-reset", token: f.token, password: NEW }, headers: { "CF-Connecting-IP": f.ip } }),
      okStatus: 200,
      verify: async (f) => {
        const completed = () => auditRows("onboarding.completed").then((rows) => rows.filter((r) => r.target_id === f.user.id));
        const retry = () => call("/api/auth_onboarding_complete", { json: { site_key: "flt-reset", token: f.token, password: NEW }, headers: { "CF-Connecting-IP": f.ip } });
        const row = (await findUserById(db(), f.user.id))!;
        if (row.status === "active") {
          expect(await passwordMatches(f.user.id, NEW)).toBe(true);
          expect(await completed()).toHaveLength(1);
          expect((await retry()).status).toBe(410);
        } else {
          expect(row.status).toBe("pending");
          expect(row.passwordHash).toBeNull();
          expect(await completed()).toHaveLength(0);
          const r = await retry();
          expect([200, 410]).toContain(r.status);
          const after = (await findUserById(db(), f.user.id))!;
          expect(after.status).toBe(r.status === 200 ? "active" : "pending");
          expect(await completed()).toHaveLength(r.status === 200 ? 1 : 0);
        }
      },
    });
  });
});
