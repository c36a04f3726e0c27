import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { AppError } from "../../src/lib/errors";
import { type IssueInput, findChallenge, ghostOwner, issueChallenge, verifyChallenge } from "../../src/services/challenges/challenges";
import { shardStub } from "../../src/store/limits";
import { at } from "../helpers";

const base = (owner: string, overrides: Partial<IssueInput> = {}): IssueInput => ({
  purpose: "login",
  owner,
  userId: owner,
  siteKey: "demo",
  email: "someone@example.com",
  ttlSeconds: 600,
  withCode: true,
  enforceCooldown: false,
  ...overrides,
});

async function errorOf(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, "0");

describe("challenges", () => {
  it("verifies the right code once and keeps only HMACs in KV", async () => {
    const owner = crypto.randomUUID();
    const { token, code, record } = await issueChallenge(at(), base(owner));
    expect(code).toMatch(/^\d{6}$/);
    const raw = await env.CHALLENGES.get(`challenge:${record.id}`);
    expect(raw).not.toBeNull();
    expect(raw).not.toContain(token);
    expect(raw).not.toContain(`"${code}"`);
    const found = await findChallenge(at(Date.now()), token, "login");
    expect(found?.id).toBe(record.id);
    await verifyChallenge(at(Date.now()), found!, code, { consume: true });
    const again = await errorOf(verifyChallenge(at(Date.now()), found!, code, { consume: true }));
    expect(again.code).toBe("challenge_expired");
  });

  it("counts wrong codes: attempts_remaining 4..1, then the challenge is dead", async () => {
    const owner = crypto.randomUUID();
    const { code, record } = await issueChallenge(at(), base(owner));
    for (let left = 4; left >= 1; left--) {
      const err = await errorOf(verifyChallenge(at(Date.now()), record, wrong(code!), { consume: true }));
      expect(err.code).toBe("invalid_code");
      expect(err.extra).toEqual({ attempts_remaining: left });
    }
    expect((await errorOf(verifyChallenge(at(Date.now()), record, wrong(code!), { consume: true }))).code).toBe("challenge_expired");
    expect((await errorOf(verifyChallenge(at(Date.now()), record, code, { consume: true }))).code).toBe("challenge_expired");
  });

  it("locks the account after 10 wrong codes in an hour across challenges", async () => {
    const owner = crypto.randomUUID();
    for (let i = 0; i < 2; i++) {
      const { code, record } = await issueChallenge(at(), base(owner));
      for (let j = 0; j < 5; j++) await verifyChallenge(at(Date.now()), record, wrong(code!), { consume: true }).catch(() => null);
    }
    const { code, record } = await issueChallenge(at(), base(owner));
    const err = await errorOf(verifyChallenge(at(Date.now()), record, code, { consume: true }));
    expect(err.code).toBe("rate_limited");
    expect(Number(err.headers?.["Retry-After"])).toBeGreaterThan(0);
    // An hour later the same kind of challenge works again.
    const later = Date.now() + 3_601_000;
    const fresh = await issueChallenge(at(later), base(owner));
    await verifyChallenge(at(later), fresh.record, fresh.code, { consume: true });
  });

  it("lets at most one of 20 parallel verifies succeed", async () => {
    const owner = crypto.randomUUID();
    const { code, record } = await issueChallenge(at(), base(owner));
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => verifyChallenge(at(Date.now()), record, code, { consume: true })));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  });

  it("kills the old challenge when a new one is issued, and enforces the resend cooldown", async () => {
    const owner = crypto.randomUUID();
    const first = await issueChallenge(at(), base(owner));
    const err = await errorOf(issueChallenge(at(), base(owner, { enforceCooldown: true })));
    expect(err.code).toBe("resend_too_soon");
    expect((err.extra as { retry_after: number }).retry_after).toBeGreaterThan(0);
    const second = await issueChallenge(at(Date.now() + 61_000), base(owner, { enforceCooldown: true }));
    expect((await errorOf(verifyChallenge(at(Date.now() + 62_000), first.record, first.code, { consume: true }))).code).toBe("challenge_expired");
    await verifyChallenge(at(Date.now() + 62_000), second.record, second.code, { consume: true });
  });

  it("binds codes to their challenge and purpose", async () => {
    const owner = crypto.randomUUID();
    const a = await issueChallenge(at(), base(owner));
    const b = await issueChallenge(at(), base(owner, { purpose: "reset" }));
    expect(await findChallenge(at(Date.now()), a.token, "reset")).toBeNull();
    expect((await errorOf(verifyChallenge(at(Date.now()), b.record, a.code === b.code ? wrong(a.code!) : a.code, { consume: true }))).code).toBe("invalid_code");
  });

  it("validates without consuming when asked", async () => {
    const owner = crypto.randomUUID();
    const { code, record } = await issueChallenge(at(), base(owner));
    await verifyChallenge(at(Date.now()), record, code, { consume: false });
    await verifyChallenge(at(Date.now()), record, code, { consume: true });
  });

  it("expires after its lifetime", async () => {
    const owner = crypto.randomUUID();
    const { token, code, record } = await issueChallenge(at(), base(owner));
    expect(await findChallenge(at(Date.now() + 601_000), token, "login")).toBeNull();
    expect((await errorOf(verifyChallenge(at(Date.now() + 601_000), record, code, { consume: true }))).code).toBe("challenge_expired");
  });

  it("never verifies a challenge for an email nobody owns, but counts it the same", async () => {
    const owner = ghostOwner(at(), "nobody@example.com");
    const { code, record } = await issueChallenge(at(), base(owner, { userId: null }));
    const err = await errorOf(verifyChallenge(at(Date.now()), record, code, { consume: true }));
    expect(err.code).toBe("invalid_code");
    expect(err.extra).toEqual({ attempts_remaining: 4 });
    // Counted in the owner's shard of the fixed pool, like any account's attempts.
    const rows = await runInDurableObject(shardStub(env, owner), (_i, state) => state.storage.sql.exec("SELECT attempts FROM challenges WHERE owner = ?", owner).toArray());
    expect(rows).toEqual([{ attempts: 1 }]);
  });
});
