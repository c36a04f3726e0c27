import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { enqueueMail } from "../../src/services/mail";
import { findMailLog } from "../../src/store/mail-log";
import { db, mailCode, waitForMail } from "../helpers";

describe("mail through the real queue", () => {
  it("enqueueMail → queue → consumer → outbox, and mail_log says sent", async () => {
    const since = Date.now();
    const id = await enqueueMail(env, { template: "login_code", to: "Queue.User@Example.com", site_key: null, data: { code: "493817", expires_minutes: 10 } });
    const mail = await waitForMail("queue.user@example.com", { template: "login_code", since });
    expect(mail.id).toBe(id);
    expect(mailCode(mail)).toBe("493817");
    const row = await findMailLog(db(), id);
    expect(row?.status).toBe("sent");
  });
});
