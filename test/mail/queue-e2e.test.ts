import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { enqueueMail } from "../../src/services/mail/enqueue";
import { findMailLog } from "../../src/store/mail-log";
import { LOCAL_BASE, call, db, json, mailCode, mailLink, waitForMail, testCtx } from "../helpers";

describe("mail through the real queue (producer binding → Miniflare queue → this Worker's queue handler)", () => {
  it("enqueueMail → consumer → outbox, and mail_log says sent", async () => {
    const since = Date.now();
    const id = await enqueueMail(testCtx(), { template: "login_code", to: "Queue.User@Example.com", site_key: null, data: { code: "493817", expires_minutes: 10 } });
    expect(id).toMatch(/^mail_[0-9a-f]{24}$/);
    const mail = await waitForMail("queue.user@example.com", { template: "login_code", since });
    expect(mail.id).toBe(id);
    expect(mailCode(mail)).toBe("493817");
    expect(await findMailLog(db(), id)).toMatchObject({ status: "sent", provider: "log", attempts: 1 });
  });

  it("waitForMail picks the newest matching mail not already seen; mailLink finds the link", async () => {
    const since = Date.now();
    await enqueueMail(testCtx(), { template: "onboarding_code", to: "new.hire@example.com", site_key: "demo", data: { code: "111111", expires_minutes: 10 } });
    const first = await waitForMail("new.hire@example.com", { template: "onboarding_code", since });
    await enqueueMail(testCtx(), {
      template: "onboarding_code",
      to: "new.hire@example.com",
      site_key: "demo",
      data: { code: "222222", link: "https://app.test/onboarding?email=new.hire%40example.com", expires_minutes: 10 },
    });
    const second = await waitForMail("new.hire@example.com", { template: "onboarding_code", since, except: [first.id] });
    expect(mailCode(first)).toBe("111111");
    expect(mailCode(second)).toBe("222222");
    expect(mailLink(second)).toBe("https://app.test/onboarding?email=new.hire%40example.com");
    const listed = await json(await call("/dev/outbox?to=new.hire@example.com", { base: LOCAL_BASE }));
    expect(listed.items.map((i: any) => i.id)).toEqual([second.id, first.id]);
  });

  it("waitForMail gives up with an error when nothing arrives", async () => {
    await expect(waitForMail("nobody@example.com", { timeoutMs: 200 })).rejects.toThrow(/no  ?mail to nobody@example.com/);
  });

  it("only registered templates with fitting data type-check (npm run typecheck enforces this)", () => {
    const neverCalled = () => {
      // @ts-expect-error an unknown template is a type error
      void enqueueMail(testCtx(), { template: "nope", to: "a@example.com", site_key: null, data: {} });
      // @ts-expect-error login_code needs code and expires_minutes
      void enqueueMail(testCtx(), { template: "login_code", to: "a@example.com", site_key: null, data: { link: "https://x.test" } });
    };
    expect(neverCalled).toBeTypeOf("function");
  });
});
