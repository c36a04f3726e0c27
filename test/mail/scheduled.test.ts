import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import wranglerToml from "../../wrangler.toml?raw";
import { OUTBOX_GRACE_MS } from "../../src/services/mail/sweep";
import { AUDIT_PRUNE_CRON, OUTBOX_SWEEP_CRON } from "../../src/scheduled";
import { waitForMail } from "../helpers";
import { client } from "../reset/fixtures";
import { seedUser } from "../sessions/fixtures";
import { loseQueueSends, outboxRow, runDailyPrune, runSweep } from "./outbox-helpers";

// The scheduled handler dispatches on the cron trigger: every minute the outbox sweep, daily the
// audit prune. Each run does its own job only.

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const DAY = 86_400_000;

async function insertAuditAt(action: string, at: number): Promise<void> {
  await env.DB.prepare("INSERT INTO audit_log (at, actor_type, action, outcome, details) VALUES (?, 'system', ?, 'success', '{}')").bind(at, action).run();
}

async function auditActions(prefix: string): Promise<string[]> {
  const rows = await env.DB.prepare("SELECT action FROM audit_log WHERE action LIKE ? ORDER BY id").bind(`${prefix}%`).all<{ action: string }>();
  return rows.results.map((r) => r.action);
}

describe("scheduled triggers", () => {
  it("wrangler.toml has the per-minute sweep beside the daily prune", () => {
    const crons = /^\[triggers\][\s\S]*?^crons = (\[.*\])$/m.exec(wranglerToml)?.[1];
    expect(JSON.parse(crons ?? "[]")).toEqual([OUTBOX_SWEEP_CRON, AUDIT_PRUNE_CRON]);
    expect(OUTBOX_SWEEP_CRON).toBe("* * * * *");
  });

  it("the per-minute run sweeps the outbox and prunes nothing; the daily run prunes audit and sweeps nothing", async () => {
    await insertAuditAt("sched.old", Date.now() - 400 * DAY);
    const user = await seedUser();
    const t0 = Date.now();
    vi.useFakeTimers({ toFake: ["Date"], now: t0 });
    const dying = loseQueueSends();
    await client().post("/api/auth_password_reset_request", { site_key: "demo", email: user.email });
    dying.restore();
    const id = dying.lost[0]!.id;
    vi.setSystemTime(t0 + OUTBOX_GRACE_MS + 1_000);

    await runDailyPrune();
    expect(await auditActions("sched.")).toEqual([]);
    expect(await outboxRow(id)).toMatchObject({ attempts: 0, sweptAt: null });

    await insertAuditAt("sched.old-again", Date.now() - 400 * DAY);
    await runSweep();
    expect(await auditActions("sched.")).toEqual(["sched.old-again"]);
    vi.useRealTimers();
    expect((await waitForMail(user.email, { template: "password_reset", since: t0 })).id).toBe(id);
  });
});
