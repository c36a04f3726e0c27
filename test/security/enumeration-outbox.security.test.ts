import { env } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { OutboxRow } from "../../src/store/mail-outbox";
import { call, createSite } from "../helpers";
import { loseQueueSends, outboxRow } from "../mail/outbox-helpers";
import { freshIp, seedUser } from "./fixtures";

// The outbox must not reopen the timing channel it closes. For every address a request that may owe
// a mail (reset, onboarding, passwordless sign-in code, legacy registration) runs the same D1
// statements — one read, then ONE batch of the audit row and an outbox row — and the outbox row has
// the same size: a real mail for an account, a decoy for an address that gets none (unknown,
// pending, disabled, or inside the resend cooldown), padded so the greeting name cannot show.
// Queue sends are held back while recording, so no consumer run adds statements of its own.

const RUN = Date.now().toString(36).slice(-6);
// The longest greeting a name can make (200 units, each escaped to 6 bytes in JSON) must not change the size.
const LONG_NAME = "\u0007".repeat(200);

beforeAll(async () => {
  await createSite("eo-link", { policy: { reset_mode: "link", login_mode: "email_otp", allow_self_registration: true } });
  await createSite("eo-both", { policy: { reset_mode: "both" } });
});
afterEach(() => vi.restoreAllMocks());

interface Trace {
  sql: string[];
  batches: number[];
  row: Pick<OutboxRow, "template" | "siteKey" | "decoy"> & { recipientLength: number; payloadLength: number };
}

/** Runs one request and records its D1 statements, its batches and the outbox row it wrote. */
async function trace(path: string, body: Record<string, unknown>): Promise<Trace> {
  const held = loseQueueSends();
  const prepare = vi.spyOn(env.DB, "prepare");
  const batch = vi.spyOn(env.DB, "batch");
  const before = await env.DB.prepare("SELECT id FROM mail_outbox").all<{ id: string }>();
  prepare.mockClear();
  const res = await call(path, { json: body, headers: { "CF-Connecting-IP": freshIp() } });
  expect(res.status, await res.clone().text()).toBeLessThan(300);
  await res.body?.cancel();
  const sql = prepare.mock.calls.map((c) => String(c[0]));
  const batches = batch.mock.calls.map((c) => (c[0] as unknown[]).length);
  prepare.mockRestore();
  batch.mockRestore();
  held.restore();
  const known = new Set(before.results.map((r) => r.id));
  const after = await env.DB.prepare("SELECT id FROM mail_outbox").all<{ id: string }>();
  const written = after.results.filter((r) => !known.has(r.id));
  expect(written, `${path}: one outbox row per request`).toHaveLength(1);
  const row = (await outboxRow(written[0]!.id))!;
  return { sql, batches, row: { template: row.template, siteKey: row.siteKey, decoy: row.decoy, recipientLength: row.recipient.length, payloadLength: row.payload.length } };
}

/** Addresses of one length, one per account state (the real account with the longest possible name). */
async function addresses(realStatus: "active" | "pending") {
  const at = (n: number) => `acct${n}-${RUN}${Math.random().toString(36).slice(2, 8).padEnd(6, "0")}@example.com`;
  const out = { real: at(1), unknown: at(2), pending: at(3), disabled: at(4), active: at(5) };
  await seedUser({ email: out.real, status: realStatus, name: LONG_NAME, emailVerified: realStatus === "active" });
  await seedUser({ email: out.pending, status: "pending", emailVerified: false });
  await seedUser({ email: out.disabled, status: "disabled" });
  await seedUser({ email: out.active, status: "active" });
  return out;
}

function expectAlike(traces: Record<string, Trace>, realCase: string, options: { sameTemplate?: boolean } = {}) {
  const reference = traces.unknown!;
  for (const [name, t] of Object.entries(traces)) {
    expect(t.sql, `${name}: D1 statements`).toEqual(reference.sql);
    expect(t.batches, `${name}: one batch of audit row + outbox row`).toEqual([2]);
    expect(t.row.payloadLength, `${name}: sealed payload size`).toBe(reference.row.payloadLength);
    expect(t.row.recipientLength, `${name}: masked recipient`).toBe(reference.row.recipientLength);
    expect(t.row.siteKey).toBe(reference.row.siteKey);
    if (options.sameTemplate !== false) expect(t.row.template, `${name}: template`).toBe(reference.row.template);
    expect(t.row.decoy, `${name}: decoy`).toBe(name !== realCase);
  }
}

describe("the outbox write does not tell accounts apart", () => {
  for (const site of ["eo-link", "eo-both"]) {
    it(`auth_password_reset_request (${site}): same statements and row size for an active account and every other address`, async () => {
      const a = await addresses("active");
      const traces: Record<string, Trace> = {};
      for (const [name, email] of Object.entries(a)) {
        if (name === "active") continue; // a second active account would be real too
        traces[name] = await trace("/api/auth_password_reset_request", { site_key: site, email });
      }
      expectAlike(traces, "real");
    });
  }

  it("auth_onboarding_request: same statements and row size for a pending account, every other address, and inside the cooldown", async () => {
    const a = await addresses("pending");
    for (const round of [1, 2]) {
      const traces: Record<string, Trace> = {};
      for (const [name, email] of Object.entries(a)) {
        if (name === "pending") continue;
        traces[name] = await trace("/api/auth_onboarding_request", { site_key: "eo-link", email });
      }
      // Round 2 is inside the 60 s cooldown: nobody is mailed, the pending account gets a decoy too.
      expectAlike(traces, round === 1 ? "real" : "none");
    }
  });

  it("auth_login (passwordless): same statements and row size for an active account and every other address", async () => {
    const a = await addresses("active");
    const traces: Record<string, Trace> = {};
    for (const [name, email] of Object.entries(a)) {
      if (name === "active") continue;
      traces[name] = await trace("/api/auth_login", { site_key: "eo-link", email });
    }
    expectAlike(traces, "real");
  });

  it("auth_register_start: same statements and row size for a taken and a free address (each gets its own mail)", async () => {
    const a = await addresses("active");
    const body = (email: string) => ({ site_key: "eo-link", email, password: "Unguessable-Register-0042", name: "Reg Person" });
    const taken = await trace("/api/auth_register_start", body(a.real));
    const free = await trace("/api/auth_register_start", body(a.unknown));
    expect(taken.row).toMatchObject({ template: "registration_exists", decoy: false });
    expect(free.row).toMatchObject({ template: "registration_code", decoy: false });
    expect(taken.sql).toEqual(free.sql);
    expect(taken.batches).toEqual([2]);
    expect(free.batches).toEqual([2]);
    expect(taken.row.payloadLength).toBe(free.row.payloadLength);
    expect(taken.row.recipientLength).toBe(free.row.recipientLength);
  });
});
