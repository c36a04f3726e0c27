import { afterEach, describe, expect, it, vi } from "vitest";
import wranglerToml from "../../wrangler.toml?raw";
import { SEND_LEASE_MS, mailRetryDelaySeconds } from "../../src/mail/consumer";
import { claimMailDelivery, findMailLog } from "../../src/store/mail-log";
import { schema } from "../../src/store/db";
import { logProvider } from "../../src/mail/providers/log";
import { db, productionEnv, readOutbox, testCtx } from "../helpers";
import { jsonAnswer, mailMessage, mockProviderApi, runQueue } from "./queue-helpers";

const RESEND = { MAIL_PROVIDER: "resend", RESEND_API_KEY: "re_test_key" };

afterEach(() => vi.restoreAllMocks());

describe("mail consumer: log provider (development)", () => {
  it("renders into dev_outbox, records sent and acks", async () => {
    const msg = mailMessage({ to: "  Log.User@Example.COM " });
    const result = await runQueue("auth2-mail", [msg]);
    expect(result.explicitAcks).toEqual(result.messageIds);
    const [item] = await readOutbox("log.user@example.com");
    expect(item).toMatchObject({ id: msg.id, to: "log.user@example.com", template: "login_code", site_key: null, subject: "Your Auth2 sign-in code" });
    expect(item!.text).toMatch(/^482913$/m);
    expect(await findMailLog(db(), msg.id)).toMatchObject({ status: "sent", provider: "log", providerMessageId: msg.id, attempts: 1, recipient: "log.user@example.com" });
  });

  it("refuses to store mail outside development (retried, nothing stored)", async () => {
    const msg = mailMessage({ to: "prod@example.com" });
    // A production Worker left on the log provider is not configured: the queue keeps the mail.
    const result = await runQueue("auth2-mail", [msg], productionEnv({ MAIL_PROVIDER: "log" }));
    expect(result.retryBatch).toMatchObject({ retry: true });
    expect(result.explicitAcks).toEqual([]);
    expect(await readOutbox("prod@example.com")).toEqual([]);
    expect(await findMailLog(db(), msg.id)).toBeNull();
    // Behind that, the provider itself refuses outside development.
    const outgoing = { id: msg.id, template: "login_code", siteKey: null, to: "prod@example.com", from: { email: "a@example.com", name: "A" }, replyTo: null, subject: "s", text: "t", html: "h" };
    await expect(logProvider(testCtx().store.mail.devOutbox, false).send(outgoing)).rejects.toMatchObject({ retryable: true, reason: "log: MAIL_PROVIDER=log only works when ENVIRONMENT=development" });
    expect(await readOutbox("prod@example.com")).toEqual([]);
  });
});

describe("mail consumer: idempotency", () => {
  it("a redelivered message that was sent is acked without sending again", async () => {
    const calls = mockProviderApi(jsonAnswer(200, { id: "re_1" }));
    const msg = mailMessage();
    await runQueue("auth2-mail", [msg], RESEND);
    const again = await runQueue("auth2-mail", [msg], RESEND, 2);
    const both = await runQueue("auth2-mail", [msg, msg], RESEND, 3);
    expect(again.explicitAcks).toEqual(again.messageIds);
    expect(both.explicitAcks).toEqual(both.messageIds);
    expect(calls).toHaveLength(1);
    expect(await findMailLog(db(), msg.id)).toMatchObject({ status: "sent", attempts: 1 });
  });

  it("the same id twice in one batch is sent once (the claim is atomic)", async () => {
    const calls = mockProviderApi(jsonAnswer(200, { id: "re_2" }));
    const msg = mailMessage();
    const result = await runQueue("auth2-mail", [msg, msg], RESEND);
    expect(calls).toHaveLength(1);
    expect(result.explicitAcks.length + result.retryMessages.length).toBe(2);
  });

  it("an attempt still holding its lease makes a duplicate wait instead of sending", async () => {
    const calls = mockProviderApi(jsonAnswer(200, { id: "re_3" }));
    const msg = mailMessage();
    await claimMailDelivery(db(), { id: msg.id, template: msg.template, recipient: msg.to, siteKey: null }, "resend", Date.now(), SEND_LEASE_MS);
    const result = await runQueue("auth2-mail", [msg], RESEND, 2);
    expect(calls).toHaveLength(0);
    expect(result.retryMessages).toHaveLength(1);
    expect(result.retryMessages[0]!.delaySeconds).toBeGreaterThan(0);
    expect(result.retryMessages[0]!.delaySeconds).toBeLessThanOrEqual(60);
  });

  it("after a crash between send and record (lease expired) it sends again with the same Idempotency-Key", async () => {
    const calls = mockProviderApi(jsonAnswer(200, { id: "re_4" }));
    const msg = mailMessage();
    await claimMailDelivery(db(), { id: msg.id, template: msg.template, recipient: msg.to, siteKey: null }, "resend", Date.now() - SEND_LEASE_MS - 1, SEND_LEASE_MS);
    const result = await runQueue("auth2-mail", [msg], RESEND, 2);
    expect(result.explicitAcks).toEqual(result.messageIds);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.headers["idempotency-key"]).toBe(msg.id);
    expect(await findMailLog(db(), msg.id)).toMatchObject({ status: "sent", attempts: 2 });
  });
});

describe("mail consumer: permanent failures", () => {
  it("unknown template, invalid recipient and bad data are acked and recorded failed; nothing is sent", async () => {
    const calls = mockProviderApi(jsonAnswer(200, { id: "never" }));
    const unknown = { ...mailMessage(), template: "steal_password" };
    const badTo = mailMessage({ to: "a@b.c, evil@x.y" });
    const badData = mailMessage({ data: { code: "<b>1</b>", expires_minutes: 10 } as never });
    const result = await runQueue("auth2-mail", [unknown, badTo, badData], RESEND);
    expect(result.explicitAcks).toEqual(result.messageIds);
    expect(calls).toHaveLength(0);
    expect(await findMailLog(db(), unknown.id)).toMatchObject({ status: "failed", lastError: "unknown_template", template: "steal_password" });
    expect(await findMailLog(db(), badTo.id)).toMatchObject({ status: "failed", lastError: "invalid_recipient", recipient: "(invalid)" });
    expect(await findMailLog(db(), badData.id)).toMatchObject({ status: "failed", lastError: "invalid_data:code" });
  });

  it("a body that is not a mail message is acked (nothing to record)", async () => {
    const result = await runQueue("auth2-mail", ["hello", null, { id: "../../etc" }]);
    expect(result.explicitAcks).toEqual(result.messageIds);
  });
});

describe("mail consumer: retries and the dead-letter queue", () => {
  it("wrangler.toml: 5 retries, then auth2-mail-dlq, which this Worker consumes", () => {
    const main = /\[\[queues\.consumers\]\]\s*\nqueue = "auth2-mail"\n([\s\S]*?)(?=\n\[|\n#|$)/.exec(wranglerToml)?.[1] ?? "";
    expect(main).toMatch(/^max_retries = 5$/m);
    expect(main).toMatch(/^dead_letter_queue = "auth2-mail-dlq"$/m);
    expect(wranglerToml).toMatch(/\[\[queues\.consumers\]\]\s*\nqueue = "auth2-mail-dlq"/);
  });

  it("backoff doubles from 15 s per attempt, capped at 15 min, and honours Retry-After", () => {
    for (const [attempt, base] of [[1, 15], [2, 30], [3, 60], [4, 120], [5, 240], [6, 480], [7, 900], [30, 900]] as const) {
      const d = mailRetryDelaySeconds(attempt);
      expect(d).toBeGreaterThanOrEqual(base);
      expect(d).toBeLessThanOrEqual(base * 1.2);
    }
    expect(mailRetryDelaySeconds(1, 300)).toBe(300);
    expect(mailRetryDelaySeconds(1, 99_999)).toBe(3600);
  });

  it("MAIL_RETRY_BASE_SECONDS sets the first delay (the bench sees a whole outage in seconds)", async () => {
    mockProviderApi(jsonAnswer(503, { statusCode: 503, name: "internal_server_error" }));
    const r = await runQueue("auth2-mail", [mailMessage()], { ...RESEND, MAIL_RETRY_BASE_SECONDS: "2" }, 3);
    expect(r.retryMessages[0]!.delaySeconds).toBeGreaterThanOrEqual(8);
    expect(r.retryMessages[0]!.delaySeconds).toBeLessThanOrEqual(9.6);
    const d = await runQueue("auth2-mail", [mailMessage()], RESEND, 3);
    expect(d.retryMessages[0]!.delaySeconds).toBeGreaterThanOrEqual(60);
  });

  it("a message failing every attempt is retried, then dead-lettered and recorded dead with its last error", async () => {
    const calls = mockProviderApi(jsonAnswer(503, { statusCode: 503, name: "internal_server_error" }));
    const msg = mailMessage();
    // max_retries = 5: the platform makes 6 attempts, then moves the message to auth2-mail-dlq.
    for (let attempt = 1; attempt <= 6; attempt++) {
      const r = await runQueue("auth2-mail", [msg], RESEND, attempt);
      expect(r.retryMessages).toHaveLength(1);
    }
    expect(calls).toHaveLength(6);
    expect(await findMailLog(db(), msg.id)).toMatchObject({ status: "queued", attempts: 6 });
    const dead = await runQueue("auth2-mail-dlq", [msg], RESEND);
    expect(dead.explicitAcks).toEqual(dead.messageIds);
    expect(calls).toHaveLength(6); // the dead-letter consumer never sends
    expect(await findMailLog(db(), msg.id)).toMatchObject({ status: "dead", attempts: 6, lastError: "resend: http_503 internal_server_error" });
  });

  it("dead-lettering records unknown ids and never downgrades a sent mail", async () => {
    const unseen = mailMessage();
    const sent = mailMessage();
    await runQueue("auth2-mail", [sent]);
    const r = await runQueue("auth2-mail-dlq", [unseen, sent, "junk"]);
    expect(r.explicitAcks).toEqual(r.messageIds);
    expect(await findMailLog(db(), unseen.id)).toMatchObject({ status: "dead", lastError: "dead_lettered", recipient: "jane@example.com" });
    expect(await findMailLog(db(), sent.id)).toMatchObject({ status: "sent" });
  });
});

describe("mail consumer: secrets stay out of mail_log and logs", () => {
  it("no code, token, link, subject or body in any mail_log row or console line", async () => {
    const lines: string[] = [];
    for (const level of ["log", "info", "warn", "error"] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(" ")));
    }
    const secrets = { code: "730419", token: "tok_Zx9SuperSecretToken", link: "https://app.example.com/reset?token=tok_Zx9SuperSecretToken" };
    mockProviderApi(
      jsonAnswer(200, { id: "ok" }),
      jsonAnswer(500, { name: "application_error", message: `boom ${secrets.link}` }),
      jsonAnswer(422, { name: "validation_error", message: `bad ${secrets.code}` }),
    );
    const msgs = [
      mailMessage({ template: "password_reset", data: { link: secrets.link, code: secrets.code, expires_minutes: 30 } }),
      mailMessage({ template: "onboarding_code", data: { code: secrets.code, link: secrets.link, expires_minutes: 10 } }),
      mailMessage({ template: "login_code", data: { code: secrets.code, expires_minutes: 10 } }),
    ];
    msgs.push(mailMessage({ template: "password_reset", data: { link: "javascript:alert(1)", code: secrets.code, expires_minutes: 30 } as never }));
    for (const m of msgs) await runQueue("auth2-mail", [m], RESEND);
    await runQueue("auth2-mail-dlq", [msgs[1]]);

    const ids = new Set(msgs.map((m) => m.id));
    const rows = (await db().select().from(schema.mailLog)).filter((r) => ids.has(r.id));
    expect(rows.length).toBe(4);
    expect(new Set(rows.map((r) => r.status))).toEqual(new Set(["sent", "dead", "failed"]));
    const dump = JSON.stringify(rows) + "\n" + lines.join("\n");
    expect(lines.length).toBeGreaterThan(3);
    for (const secret of [secrets.code, secrets.token, "app.example.com", "javascript:", "reset your password", "<html", "sign-in code"]) {
      expect(dump.toLowerCase()).not.toContain(secret.toLowerCase());
    }
  });
});
