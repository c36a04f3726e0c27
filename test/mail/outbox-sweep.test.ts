import { env } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { OUTBOX_GRACE_MS, OUTBOX_MAX_AGE_MS } from "../../src/services/mail/sweep";
import { findMailLog } from "../../src/store/mail-log";
import { createSite, db, mailLink, readOutbox, waitForMail } from "../helpers";
import { client, hashed, passwordMatches } from "../reset/fixtures";
import { seedUser } from "../sessions/fixtures";
import { loseQueueSends, outboxRow, outboxRowsSince, requeuedIds, runSweep, watchRequeues } from "./outbox-helpers";
import { runQueue } from "./queue-helpers";

// The transactional outbox end to end: the flow writes the owed mail before it answers, the queue
// send after the answer is lost (the Worker died), and the per-minute sweep sends it — exactly once,
// whatever else arrives. Time moves with vi.setSystemTime (Date only), never by sleeping.

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

beforeAll(async () => {
  await createSite("ob-otp", { policy: { login_mode: "email_otp" } });
});

/** Freezes Date at `at` (the Worker runs in this isolate and sees the same clock). */
function clockAt(at: number): void {
  vi.useFakeTimers({ toFake: ["Date"], now: at });
}

const resetRequest = (email: string) => client().post("/api/auth_password_reset_request", { site_key: "demo", email });

describe("the mail outbox", () => {
  it("a mail owed is sent exactly once after a restart", async () => {
    const user = await seedUser({ passwordHash: await hashed("old password for outbox 1") });
    const t0 = Date.now();
    clockAt(t0);
    const dying = loseQueueSends();
    expect((await resetRequest(user.email)).status).toBe(202);
    dying.restore();
    // The Worker meant to queue one mail and died first: the queue never saw it, the outbox row is there.
    expect(dying.lost.map((m) => m.template)).toEqual(["password_reset"]);
    const id = dying.lost[0]!.id;
    expect(await outboxRow(id)).toMatchObject({ template: "password_reset", decoy: false, attempts: 0, sweptAt: null });
    expect(await findMailLog(db(), id)).toBeNull();

    // Inside the grace period the sweep leaves it to the queue.
    const requeues = watchRequeues();
    vi.setSystemTime(t0 + OUTBOX_GRACE_MS - 1_000);
    await runSweep();
    expect(requeuedIds(requeues)).toEqual([]);

    // After it, the sweep sends it under the same id; the mailed link works.
    vi.setSystemTime(t0 + OUTBOX_GRACE_MS + 1_000);
    await runSweep();
    expect(requeuedIds(requeues)).toEqual([id]);
    vi.useRealTimers();
    const mail = await waitForMail(user.email, { template: "password_reset", since: t0 });
    expect(mail.id).toBe(id);
    const token = new URL(mailLink(mail)!).searchParams.get("token");
    const done = await client().post("/api/auth_password_reset_complete", { site_key: "demo", token, new_password: "new password for outbox 2" });
    expect(done.status).toBe(200);
    expect(await passwordMatches(user.id, "new password for outbox 2")).toBe(true);
    // The consumer's claim removed the row: a later sweep has nothing to send.
    expect(await outboxRow(id)).toBeNull();
    requeues.mockClear();
    clockAt(t0 + 10 * OUTBOX_GRACE_MS);
    await runSweep();
    vi.useRealTimers();
    expect(requeuedIds(requeues).filter((r) => r === id)).toEqual([]);
    expect((await readOutbox(user.email)).filter((m) => m.template === "password_reset")).toHaveLength(1);
    expect(await findMailLog(db(), id)).toMatchObject({ status: "sent", attempts: 1 });
  });

  it("the queue delivered the mail: the consumer removed the row and the sweep sends nothing", async () => {
    const user = await seedUser();
    const t0 = Date.now();
    expect((await resetRequest(user.email)).status).toBe(202);
    const mail = await waitForMail(user.email, { template: "password_reset", since: t0 });
    expect(await findMailLog(db(), mail.id)).toMatchObject({ status: "sent" });
    expect(await outboxRow(mail.id)).toBeNull();
    const requeues = watchRequeues();
    clockAt(t0 + OUTBOX_GRACE_MS + 1_000);
    await runSweep();
    vi.useRealTimers();
    expect(requeuedIds(requeues)).not.toContain(mail.id);
    expect(await readOutbox(user.email)).toHaveLength(1);
  });

  it("the queue was only slow: the sweep's copy and the late original make one mail", async () => {
    const user = await seedUser();
    const t0 = Date.now();
    clockAt(t0);
    const slow = loseQueueSends();
    expect((await resetRequest(user.email)).status).toBe(202);
    slow.restore();
    const original = slow.lost[0]!;
    vi.setSystemTime(t0 + OUTBOX_GRACE_MS + 1_000);
    await runSweep();
    vi.useRealTimers();
    const mail = await waitForMail(user.email, { template: "password_reset", since: t0 });
    expect(mail.id).toBe(original.id);
    // Now the original message arrives: mail_log's claim says "done", it is acked and not sent again.
    const late = await runQueue("auth2-mail", [original]);
    expect(late.explicitAcks).toEqual(late.messageIds);
    expect(await findMailLog(db(), original.id)).toMatchObject({ status: "sent", attempts: 1 });
    expect(await readOutbox(user.email)).toHaveLength(1);
  });

  it("decoy rows for unknown addresses never produce mail and are cleaned up by the sweep", async () => {
    const t0 = Date.now();
    clockAt(t0);
    const sends = vi.spyOn(env.MAIL_QUEUE, "send");
    const nobody = (what: string) => `nobody-${what}-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const emails = { reset: nobody("reset"), onboarding: nobody("onboard"), login: nobody("login") };
    expect((await resetRequest(emails.reset)).status).toBe(202);
    expect((await client().post("/api/auth_onboarding_request", { site_key: "demo", email: emails.onboarding })).status).toBe(202);
    expect((await client().post("/api/auth_login", { site_key: "ob-otp", email: emails.login })).status).toBe(200);
    expect(sends).not.toHaveBeenCalled();
    const decoys = await outboxRowsSince(t0);
    expect(decoys.map((r) => [r.template, r.decoy]).sort()).toEqual([
      ["login_code", true],
      ["onboarding_code", true],
      ["password_reset", true],
    ]);

    const requeues = watchRequeues();
    vi.setSystemTime(t0 + OUTBOX_GRACE_MS + 1_000);
    await runSweep();
    vi.useRealTimers();
    expect(requeuedIds(requeues)).toEqual([]);
    for (const row of decoys) {
      expect(await outboxRow(row.id)).toBeNull();
      expect(await findMailLog(db(), row.id)).toBeNull();
    }
    for (const email of Object.values(emails)) expect(await readOutbox(email)).toEqual([]);
  });

  it("a sweep whose send fails tries again one grace period later", async () => {
    const user = await seedUser();
    const t0 = Date.now();
    clockAt(t0);
    const dying = loseQueueSends();
    await resetRequest(user.email);
    dying.restore();
    const id = dying.lost[0]!.id;
    const down = vi.spyOn(env.MAIL_QUEUE, "sendBatch").mockRejectedValueOnce(new Error("Queue send failed: 503"));
    vi.setSystemTime(t0 + OUTBOX_GRACE_MS + 1_000);
    await runSweep();
    expect(await outboxRow(id)).toMatchObject({ attempts: 1, sweptAt: t0 + OUTBOX_GRACE_MS + 1_000 });
    // Half a grace period later it is not due yet; a whole one later it is sent.
    down.mockClear();
    vi.setSystemTime(t0 + 1.5 * OUTBOX_GRACE_MS + 1_000);
    await runSweep();
    expect(requeuedIds(down)).toEqual([]);
    vi.setSystemTime(t0 + 2 * OUTBOX_GRACE_MS + 2_000);
    await runSweep();
    expect(requeuedIds(down)).toEqual([id]);
    vi.useRealTimers();
    expect((await waitForMail(user.email, { template: "password_reset", since: t0 })).id).toBe(id);
  });

  it("drops a row older than an hour (its codes and links have expired), records it failed and mails nothing", async () => {
    const user = await seedUser();
    const t0 = Date.now();
    clockAt(t0);
    const dying = loseQueueSends();
    await resetRequest(user.email);
    dying.restore();
    const id = dying.lost[0]!.id;
    const requeues = watchRequeues();
    vi.setSystemTime(t0 + OUTBOX_MAX_AGE_MS);
    await runSweep();
    vi.useRealTimers();
    expect(requeuedIds(requeues)).toEqual([]);
    expect(await outboxRow(id)).toBeNull();
    expect(await findMailLog(db(), id)).toMatchObject({ status: "failed", lastError: "outbox_expired", recipient: user.email });
    expect(await readOutbox(user.email)).toEqual([]);
  });

  it("drops a row that no longer opens (CODE_HMAC_KEY rotated), records it failed and mails nothing", async () => {
    const user = await seedUser();
    const t0 = Date.now();
    clockAt(t0);
    const dying = loseQueueSends();
    await resetRequest(user.email);
    dying.restore();
    const id = dying.lost[0]!.id;
    const requeues = watchRequeues();
    vi.setSystemTime(t0 + OUTBOX_GRACE_MS + 1_000);
    await runSweep({ CODE_HMAC_KEY: "a-rotated-code-hmac-key-0001" });
    vi.useRealTimers();
    expect(requeuedIds(requeues)).toEqual([]);
    expect(await outboxRow(id)).toBeNull();
    expect(await findMailLog(db(), id)).toMatchObject({ status: "failed", lastError: "outbox_unreadable", recipient: "(invalid)" });
    expect(await readOutbox(user.email)).toEqual([]);
  });
});
