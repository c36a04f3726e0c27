import { env } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { CODE_TTL_SECONDS, LINK_TTL_SECONDS } from "../../src/services/challenges/challenges";
import { issueEmailedChallenge } from "../../src/services/challenges/emailed";
import { OUTBOX_GRACE_MS } from "../../src/services/mail/sweep";
import { asAdmin } from "../admin/fixtures";
import { createSite, json, mailCode, waitForMail, testCtx } from "../helpers";
import { client, hashed } from "../reset/fixtures";
import { seedUser } from "../sessions/fixtures";
import { loseQueueSends, outboxRow, runSweep } from "./outbox-helpers";

// Every flow that mails goes through the outbox: with the queue send after the answer lost (the
// Worker died), the per-minute sweep still delivers the mail, under the id the flow gave it, and
// the mail's code works.

let admin: Record<string, string>;
beforeAll(async () => {
  admin = (await asAdmin()).headers;
  await createSite("of-otp", { policy: { login_mode: "email_otp" } });
  await createSite("of-reg", { policy: { allow_self_registration: true } });
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const fresh = (tag: string) => `of-${tag}-${crypto.randomUUID().slice(0, 8)}@example.com`;

async function linkToken(purpose: "reset" | "onboarding", user: { id: string; email: string }): Promise<string> {
  const issued = await issueEmailedChallenge(testCtx(), { purpose, owner: user.id, userId: user.id, siteKey: "demo", email: user.email, link: true, withCode: false, ttlSeconds: purpose === "reset" ? LINK_TTL_SECONDS : CODE_TTL_SECONDS, enforceCooldown: false });
  return issued.token;
}

interface FlowCase {
  template: string;
  /** Prepares the account; returns the address mailed and the request that owes the mail. */
  setup: () => Promise<{ email: string; act: () => Promise<Response> }>;
  status: number;
}

const CASES: Record<string, FlowCase> = {
  "passwordless sign-in code": {
    template: "login_code",
    status: 200,
    setup: async () => {
      const user = await seedUser();
      return { email: user.email, act: () => client().post("/api/auth_login", { site_key: "of-otp", email: user.email }) };
    },
  },
  "onboarding request of a pending account": {
    template: "onboarding_code",
    status: 202,
    setup: async () => {
      const user = await seedUser({ status: "pending", emailVerified: false });
      return { email: user.email, act: () => client().post("/api/auth_onboarding_request", { site_key: "demo", email: user.email }) };
    },
  },
  "admin user_create with send_onboarding": {
    template: "onboarding_code",
    status: 200,
    setup: async () => {
      const email = fresh("create");
      return { email, act: () => client().post("/api/admin/user_create", { email, name: "New Hire", send_onboarding: true }, admin) };
    },
  },
  "admin user_onboarding_resend": {
    template: "onboarding_code",
    status: 200,
    setup: async () => {
      const user = await seedUser({ status: "pending", emailVerified: false });
      return { email: user.email, act: () => client().post("/api/admin/user_onboarding_resend", { auth_user_id: user.id }, admin) };
    },
  },
  "password changed notice after a reset": {
    template: "password_changed",
    status: 200,
    setup: async () => {
      const user = await seedUser({ passwordHash: await hashed("old password outbox 1") });
      const token = await linkToken("reset", user);
      return { email: user.email, act: () => client().post("/api/auth_password_reset_complete", { site_key: "demo", token, new_password: "new password outbox 2" }) };
    },
  },
  "welcome after onboarding": {
    template: "welcome",
    status: 200,
    setup: async () => {
      const user = await seedUser({ status: "pending", emailVerified: false });
      const token = await linkToken("onboarding", user);
      return { email: user.email, act: () => client().post("/api/auth_onboarding_complete", { site_key: "demo", token, password: "first password outbox 3" }) };
    },
  },
  "legacy registration code": {
    template: "registration_code",
    status: 202,
    setup: async () => {
      const email = fresh("reg");
      return { email, act: () => client().post("/api/auth_register_start", { site_key: "of-reg", email, password: "Registration-Pass-0042", name: "Reg" }) };
    },
  },
  "legacy registration of a taken address": {
    template: "registration_exists",
    status: 202,
    setup: async () => {
      const user = await seedUser();
      return { email: user.email, act: () => client().post("/api/auth_register", { site_key: "of-reg", email: user.email, password: "Registration-Pass-0042", name: "Reg" }) };
    },
  },
};

describe("every mailing flow records its mail in the outbox", () => {
  for (const [name, c] of Object.entries(CASES)) {
    it(`${name}: a lost queue send is delivered by the sweep`, async () => {
      const { email, act } = await c.setup();
      const t0 = Date.now();
      vi.useFakeTimers({ toFake: ["Date"], now: t0 });
      const dying = loseQueueSends();
      const res = await act();
      expect(res.status, JSON.stringify(await json(res.clone()))).toBe(c.status);
      dying.restore();
      const lost = dying.lost.filter((m) => m.template === c.template);
      expect(lost).toHaveLength(1);
      expect(await outboxRow(lost[0]!.id)).toMatchObject({ template: c.template, decoy: false });
      vi.setSystemTime(t0 + OUTBOX_GRACE_MS + 1_000);
      await runSweep();
      vi.useRealTimers();
      const mail = await waitForMail(email, { template: c.template, since: t0 });
      expect(mail.id).toBe(lost[0]!.id);
      if ("code" in lost[0]!.data) expect(mailCode(mail)).toBe(lost[0]!.data.code);
    });
  }

  it("the sign-in code delivered by the sweep signs the user in", async () => {
    const user = await seedUser();
    const t0 = Date.now();
    vi.useFakeTimers({ toFake: ["Date"], now: t0 });
    const dying = loseQueueSends();
    const started = await json(await client().post("/api/auth_login", { site_key: "of-otp", email: user.email }));
    dying.restore();
    vi.setSystemTime(t0 + OUTBOX_GRACE_MS + 1_000);
    await runSweep();
    vi.useRealTimers();
    const code = mailCode(await waitForMail(user.email, { template: "login_code", since: t0 }));
    const verified = await client().post("/api/auth_factor_verify", { challenge_token: started.challenge.token, code });
    expect(verified.status).toBe(200);
    expect((await json(verified)).session.token).toEqual(expect.any(String));
  });
});
