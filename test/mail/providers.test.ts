import { afterEach, describe, expect, it } from "vitest";
import { findMailLog } from "../../src/store/mail-log";
import { db } from "../helpers";
import { createBrandedSite, jsonAnswer, mailMessage, mockProviderApi, runQueue } from "./queue-helpers";
import { vi } from "vitest";

const RESEND = { MAIL_PROVIDER: "resend", RESEND_API_KEY: "re_test_key", MAIL_FROM: "no-reply@acme.example" };
const POSTMARK = { MAIL_PROVIDER: "postmark", POSTMARK_API_KEY: "pm-server-token", MAIL_FROM: "no-reply@acme.example" };

afterEach(() => vi.restoreAllMocks());

describe("resend provider", () => {
  it("POSTs the documented body with Bearer auth and the message id as Idempotency-Key", async () => {
    await createBrandedSite("acme");
    const calls = mockProviderApi(jsonAnswer(200, { id: "49a3999c-0ce1-4ea6-ab68-afcd6dc2e794" }));
    const msg = mailMessage({ site_key: "acme", to: "Jane@Example.com" });
    const result = await runQueue("auth2-mail", [msg], RESEND);

    expect(result.explicitAcks).toEqual(result.messageIds);
    expect(result.retryMessages).toEqual([]);
    expect(calls).toHaveLength(1);
    const call = calls[0]!;
    expect(call.url).toBe("https://api.resend.com/emails");
    expect(call.method).toBe("POST");
    expect(call.headers.authorization).toBe("Bearer re_test_key");
    expect(call.headers["idempotency-key"]).toBe(msg.id);
    expect(call.headers["content-type"]).toBe("application/json");
    // https://resend.com/docs/api-reference/emails/send-email: from, to (string | string[]), subject, html, text, reply_to, tags [{name, value}]
    expect(Object.keys(call.body).sort()).toEqual(["from", "html", "reply_to", "subject", "tags", "text", "to"]);
    expect(call.body.from).toBe("Acme Accounts <no-reply@acme.example>");
    expect(call.body.to).toEqual(["jane@example.com"]);
    expect(call.body.reply_to).toBe("help@acme.example");
    expect(call.body.subject).toBe("Your Acme Portal sign-in code");
    expect(call.body.html).toContain("482913");
    expect(call.body.text).toContain("482913");
    expect(call.body.tags).toEqual([{ name: "template", value: "login_code" }]);
    for (const tag of call.body.tags) expect(tag.value).toMatch(/^[A-Za-z0-9_-]+$/);

    const row = await findMailLog(db(), msg.id);
    expect(row).toMatchObject({ status: "sent", provider: "resend", providerMessageId: "49a3999c-0ce1-4ea6-ab68-afcd6dc2e794", attempts: 1, lastError: null });
  });

  it("retries 5xx with exponential backoff and records the attempt", async () => {
    mockProviderApi(jsonAnswer(500, { statusCode: 500, name: "application_error", message: "An unexpected error occurred." }));
    const msg = mailMessage();
    const first = await runQueue("auth2-mail", [msg], RESEND, 1);
    expect(first.explicitAcks).toEqual([]);
    expect(first.retryMessages).toHaveLength(1);
    expect(first.retryMessages[0]!.delaySeconds).toBeGreaterThanOrEqual(15);
    expect(first.retryMessages[0]!.delaySeconds).toBeLessThanOrEqual(18);
    expect(await findMailLog(db(), msg.id)).toMatchObject({ status: "queued", attempts: 1, lastError: "resend: http_500 application_error" });

    const third = await runQueue("auth2-mail", [msg], RESEND, 3);
    expect(third.retryMessages[0]!.delaySeconds).toBeGreaterThanOrEqual(60);
    expect(third.retryMessages[0]!.delaySeconds).toBeLessThanOrEqual(72);
    expect(await findMailLog(db(), msg.id)).toMatchObject({ status: "queued", attempts: 2 });
  });

  it("retries 429 no sooner than Retry-After", async () => {
    mockProviderApi(jsonAnswer(429, { statusCode: 429, name: "rate_limit_exceeded", message: "Too many requests." }, { "Retry-After": "120" }));
    const msg = mailMessage();
    const result = await runQueue("auth2-mail", [msg], RESEND);
    expect(result.retryMessages[0]!.delaySeconds).toBeGreaterThanOrEqual(120);
    expect((await findMailLog(db(), msg.id))?.lastError).toBe("resend: http_429 rate_limit_exceeded");
  });

  it("retries network errors and a concurrent idempotent request (409)", async () => {
    mockProviderApi(() => new TypeError("fetch failed"));
    const a = mailMessage();
    expect((await runQueue("auth2-mail", [a], RESEND)).retryMessages).toHaveLength(1);
    expect((await findMailLog(db(), a.id))?.lastError).toBe("resend: network_error");

    vi.restoreAllMocks();
    mockProviderApi(jsonAnswer(409, { statusCode: 409, name: "concurrent_idempotent_requests", message: "Same idempotency key used while original request is still in progress." }));
    const b = mailMessage();
    expect((await runQueue("auth2-mail", [b], RESEND)).retryMessages).toHaveLength(1);
  });

  it("acks and records other 4xx as permanent, without the provider's free-text message", async () => {
    mockProviderApi(jsonAnswer(422, { statusCode: 422, name: "validation_error", message: "Invalid `to` field: jane@example.com 482913" }));
    const msg = mailMessage();
    const result = await runQueue("auth2-mail", [msg], RESEND);
    expect(result.explicitAcks).toEqual(result.messageIds);
    expect(result.retryMessages).toEqual([]);
    const row = await findMailLog(db(), msg.id);
    expect(row).toMatchObject({ status: "failed", provider: "resend", lastError: "resend: http_422 validation_error" });
  });

  it("a missing API key is retried (deployment mistake), never sent", async () => {
    const calls = mockProviderApi(jsonAnswer(200, { id: "x" }));
    const msg = mailMessage();
    const result = await runQueue("auth2-mail", [msg], { MAIL_PROVIDER: "resend", RESEND_API_KEY: "" });
    expect(result.retryMessages).toHaveLength(1);
    expect(calls).toHaveLength(0);
    expect((await findMailLog(db(), msg.id))?.lastError).toBe("resend: RESEND_API_KEY is not set");
  });
});

describe("postmark provider", () => {
  it("POSTs the documented body with the server token header and records MessageID", async () => {
    await createBrandedSite("acme-pm");
    const calls = mockProviderApi(jsonAnswer(200, { To: "jane@example.com", SubmittedAt: "2026-11-29T11:00:00Z", MessageID: "b7bc2f4a-e38e-4336-af7d-e6c392c2f817", ErrorCode: 0, Message: "OK" }));
    const msg = mailMessage({ site_key: "acme-pm", template: "password_reset", data: { link: "https://app.example.com/reset?token=tok_secret", expires_minutes: 30 } });
    const result = await runQueue("auth2-mail", [msg], POSTMARK);

    expect(result.explicitAcks).toEqual(result.messageIds);
    const call = calls[0]!;
    expect(call.url).toBe("https://api.postmarkapp.com/email");
    expect(call.method).toBe("POST");
    expect(call.headers["x-postmark-server-token"]).toBe("pm-server-token");
    expect(call.headers.accept).toBe("application/json");
    expect(call.headers["content-type"]).toBe("application/json");
    // https://postmarkapp.com/developer/api/email-api: From, To, Subject, HtmlBody, TextBody, ReplyTo, Tag, TrackOpens, TrackLinks, Metadata, MessageStream
    expect(Object.keys(call.body).sort()).toEqual(["From", "HtmlBody", "MessageStream", "Metadata", "ReplyTo", "Subject", "Tag", "TextBody", "To", "TrackLinks", "TrackOpens"]);
    expect(call.body).toMatchObject({
      From: "Acme Accounts <no-reply@acme.example>",
      To: "jane@example.com",
      ReplyTo: "help@acme.example",
      Subject: "Reset your Acme Portal password",
      Tag: "password_reset",
      TrackOpens: false,
      TrackLinks: "None",
      Metadata: { mail_id: msg.id },
      MessageStream: "outbound",
    });
    expect(call.body.TextBody).toContain("https://app.example.com/reset?token=tok_secret");
    expect(call.body.HtmlBody).toContain('href="https://app.example.com/reset?token=tok_secret"');
    expect(await findMailLog(db(), msg.id)).toMatchObject({ status: "sent", provider: "postmark", providerMessageId: "b7bc2f4a-e38e-4336-af7d-e6c392c2f817" });
  });

  it("uses POSTMARK_MESSAGE_STREAM when set", async () => {
    const calls = mockProviderApi(jsonAnswer(200, { MessageID: "m1", ErrorCode: 0, Message: "OK" }));
    await runQueue("auth2-mail", [mailMessage()], { ...POSTMARK, POSTMARK_MESSAGE_STREAM: "auth-transactional" });
    expect(calls[0]!.body.MessageStream).toBe("auth-transactional");
  });

  it("422 ErrorCode 406 (inactive recipient) is permanent; 503 is retried", async () => {
    mockProviderApi(jsonAnswer(422, { ErrorCode: 406, Message: "You tried to send to recipient(s) that have been marked as inactive." }));
    const a = mailMessage();
    const permanent = await runQueue("auth2-mail", [a], POSTMARK);
    expect(permanent.explicitAcks).toEqual(permanent.messageIds);
    expect(await findMailLog(db(), a.id)).toMatchObject({ status: "failed", lastError: "postmark: http_422 error_406" });

    vi.restoreAllMocks();
    mockProviderApi(() => new Response("<html>Service Unavailable</html>", { status: 503 }));
    const b = mailMessage();
    const retry = await runQueue("auth2-mail", [b], POSTMARK);
    expect(retry.retryMessages).toHaveLength(1);
    expect(await findMailLog(db(), b.id)).toMatchObject({ status: "queued", lastError: "postmark: http_503" });
  });
});

describe("cloudflare provider (send_email binding)", () => {
  function fakeBinding(behaviour: () => EmailSendResult | Error) {
    const sent: any[] = [];
    const binding = {
      async send(message: unknown) {
        sent.push(message);
        const r = behaviour();
        if (r instanceof Error) throw r;
        return r;
      },
    } as unknown as SendEmail;
    return { sent, binding };
  }
  const codeError = (code: string) => Object.assign(new Error("failed"), { code });

  it("sends the structured builder form and records the messageId", async () => {
    await createBrandedSite("acme-cf");
    const { sent, binding } = fakeBinding(() => ({ messageId: "<cf-123@acme.example>" }));
    const msg = mailMessage({ site_key: "acme-cf" });
    const result = await runQueue("auth2-mail", [msg], { MAIL_PROVIDER: "cloudflare", SEND_EMAIL: binding, MAIL_FROM: "no-reply@acme.example" });
    expect(result.explicitAcks).toEqual(result.messageIds);
    // https://developers.cloudflare.com/email-service/api/send-emails/workers-api/: to, from {email, name}, subject, html, text, replyTo
    expect(Object.keys(sent[0]).sort()).toEqual(["from", "html", "replyTo", "subject", "text", "to"]);
    expect(sent[0]).toMatchObject({ to: "jane@example.com", from: { email: "no-reply@acme.example", name: "Acme Accounts" }, replyTo: "help@acme.example", subject: "Your Acme Portal sign-in code" });
    expect(await findMailLog(db(), msg.id)).toMatchObject({ status: "sent", provider: "cloudflare", providerMessageId: "<cf-123@acme.example>" });
  });

  it("E_RECIPIENT_SUPPRESSED is permanent; E_RATE_LIMIT_EXCEEDED, uncoded errors and a missing binding are retried", async () => {
    const suppressed = mailMessage();
    const r1 = await runQueue("auth2-mail", [suppressed], { MAIL_PROVIDER: "cloudflare", SEND_EMAIL: fakeBinding(() => codeError("E_RECIPIENT_SUPPRESSED")).binding });
    expect(r1.explicitAcks).toEqual(r1.messageIds);
    expect(await findMailLog(db(), suppressed.id)).toMatchObject({ status: "failed", lastError: "cloudflare: e_recipient_suppressed" });

    const limited = mailMessage();
    const r2 = await runQueue("auth2-mail", [limited], { MAIL_PROVIDER: "cloudflare", SEND_EMAIL: fakeBinding(() => codeError("E_RATE_LIMIT_EXCEEDED")).binding });
    expect(r2.retryMessages).toHaveLength(1);

    const broken = mailMessage();
    const r3 = await runQueue("auth2-mail", [broken], { MAIL_PROVIDER: "cloudflare", SEND_EMAIL: fakeBinding(() => new Error("network")).binding });
    expect(r3.retryMessages).toHaveLength(1);
    expect((await findMailLog(db(), broken.id))?.lastError).toBe("cloudflare: send_failed");

    const unbound = mailMessage();
    const r4 = await runQueue("auth2-mail", [unbound], { MAIL_PROVIDER: "cloudflare", SEND_EMAIL: undefined });
    expect(r4.retryMessages).toHaveLength(1);
    expect((await findMailLog(db(), unbound.id))?.lastError).toBe("cloudflare: SEND_EMAIL binding is missing");
  });
});
