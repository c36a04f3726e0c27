import { describe, expect, it } from "vitest";
import { findMailLog } from "../../src/store/mail-log";
import { createSite, db, mailCode, mailLink, waitForMail } from "../helpers";
import { seedUser } from "../sessions/fixtures";
import { client, hashed, passwordMatches } from "./fixtures";

// The whole path a user takes: the route queues the mail, the real queue hands it to the consumer,
// the consumer renders the template into the development outbox, and the user reads the code or
// link from the rendered text. Proves the data the flows queue fits each template.

describe("reset and onboarding mail through the real queue and the dev outbox", () => {
  it("reset (both): the rendered mail's link and code work; the notice arrives after completion", async () => {
    await createSite("outbox-both", { policy: { reset_mode: "both" }, reset_url: "https://accounts.corp.test/reset" });
    const user = await seedUser({ name: "Ann Example", passwordHash: await hashed("the old password 1") });
    const c = client();
    const since = Date.now();
    expect((await c.post("/api/auth_password_reset_request", { site_key: "outbox-both", email: user.email })).status).toBe(202);
    const mail = await waitForMail(user.email, { template: "password_reset", since });
    expect(mail.site_key).toBe("outbox-both");
    expect(mail.text).toContain("Ann Example");
    const link = mailLink(mail)!;
    expect(link).toMatch(/^https:\/\/accounts\.corp\.test\/reset\?token=[A-Za-z0-9_-]{43}$/);
    const token = new URL(link).searchParams.get("token")!;
    expect((await c.post("/api/auth_password_reset_check", { site_key: "outbox-both", token })).status).toBe(200);
    const code = mailCode(mail);
    const done = await c.post("/api/auth_password_reset_complete", { site_key: "outbox-both", email: user.email, code, new_password: "a new password from the outbox" });
    expect(done.status).toBe(200);
    expect(await passwordMatches(user.id, "a new password from the outbox")).toBe(true);
    const notice = await waitForMail(user.email, { template: "password_changed", since });
    expect(notice.text).not.toMatch(/\d{6}/);
    expect((await findMailLog(db(), notice.id))?.status).toBe("sent");
  });

  it("onboarding: the rendered code activates the account; the welcome mail follows", async () => {
    const user = await seedUser({ status: "pending", emailVerified: false, name: "New Starter" });
    const c = client();
    const since = Date.now();
    await c.post("/api/auth_onboarding_request", { site_key: "outbox-ob", email: user.email });
    const mail = await waitForMail(user.email, { template: "onboarding_code", since });
    expect(mailLink(mail)).toMatch(/^https:\/\/app\.test\/onboarding\?token=/);
    const done = await c.post("/api/auth_onboarding_complete", { site_key: "outbox-ob", email: user.email, code: mailCode(mail), password: "my onboarding password 1" });
    expect(done.status).toBe(200);
    const welcome = await waitForMail(user.email, { template: "welcome", since });
    expect(welcome.text).toContain("New Starter");
    expect((await findMailLog(db(), welcome.id))?.status).toBe("sent");
  });
});
