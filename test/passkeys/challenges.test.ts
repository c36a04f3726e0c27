import { env, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { sha256Hex } from "../../src/crypto/hmac";
import { PASSKEY_CHALLENGE_TTL_MS, consumePasskeyChallenge, issuePasskeyChallenge } from "../../src/services/passkeys/challenges";
import { SHARD_COUNT, shardName, shardStub } from "../../src/store/limits";
import { passkeyChallengeShardKey } from "../../src/store/passkey-challenges";
import { testCtx } from "../helpers";

const SITE = "challenge-site";

afterEach(() => {
  vi.useRealTimers();
});

function issue(purpose: "register" | "authenticate", userId: string | null, siteKey = SITE) {
  const subject = userId ? ({ kind: "user", userId } as const) : ({ kind: "any" } as const);
  return issuePasskeyChallenge(testCtx(), { purpose, subject, siteKey });
}

function consume(challenge: string, purpose: "register" | "authenticate", userId: string | null, siteKey = SITE) {
  return consumePasskeyChallenge(testCtx(), { challenge, purpose, siteKey, userId });
}

describe("WebAuthn challenges", () => {
  it("are 32 random bytes, live five minutes, and are used once", async () => {
    const now = Date.now();
    const issued = await issuePasskeyChallenge(testCtx({ now }), { purpose: "authenticate", subject: { kind: "any" }, siteKey: SITE });
    expect(issued.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(issued.expiresAt).toBe(now + PASSKEY_CHALLENGE_TTL_MS);
    expect(PASSKEY_CHALLENGE_TTL_MS).toBeLessThanOrEqual(300_000);
    const first = await consume(issued.challenge, "authenticate", null);
    expect(first).toMatchObject({ ok: true, value: { purpose: "authenticate", userId: null, anyUser: true, siteKey: SITE } });
    expect(await consume(issued.challenge, "authenticate", null)).toMatchObject({ ok: false, code: "passkey_challenge_invalid" });
  });

  it("expire after five minutes (clock moved, no sleeping)", async () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2030-01-01T10:00:00Z"));
    const live = await issue("authenticate", null);
    const dead = await issue("authenticate", null);
    vi.setSystemTime(new Date("2030-01-01T10:04:59.999Z"));
    expect((await consume(live.challenge, "authenticate", null)).ok).toBe(true);
    vi.setSystemTime(new Date("2030-01-01T10:05:00Z"));
    expect(await consume(dead.challenge, "authenticate", null)).toMatchObject({ ok: false, code: "passkey_challenge_invalid" });
  });

  it("are bound to their purpose, site and user", async () => {
    const reg = await issue("register", "user-a");
    expect((await consume(reg.challenge, "authenticate", null)).ok).toBe(false);
    const reg2 = await issue("register", "user-a");
    expect((await consume(reg2.challenge, "register", "user-b")).ok).toBe(false);
    const reg3 = await issue("register", "user-a");
    expect(await consume(reg3.challenge, "register", "user-a", "other-site")).toMatchObject({ ok: false, code: "passkey_challenge_invalid" });
    // A failed attempt used it up: the right site cannot use it afterwards either.
    expect((await consume(reg3.challenge, "register", "user-a")).ok).toBe(false);
    const auth = await issue("authenticate", null);
    expect((await consume(auth.challenge, "register", "user-a")).ok).toBe(false);
    const auth2 = await issue("authenticate", null, "site-one");
    expect((await consume(auth2.challenge, "authenticate", null, "site-two")).ok).toBe(false);
  });

  it("a new registration challenge replaces the user's earlier one; sign-in challenges overlap", async () => {
    const first = await issue("register", "user-c");
    const second = await issue("register", "user-c");
    expect((await consume(first.challenge, "register", "user-c")).ok).toBe(false);
    expect((await consume(second.challenge, "register", "user-c")).ok).toBe(true);
    const a = await issue("authenticate", "user-c");
    const b = await issue("authenticate", "user-c");
    expect(await consume(a.challenge, "authenticate", null)).toMatchObject({ ok: true, value: { userId: "user-c", anyUser: false } });
    expect((await consume(b.challenge, "authenticate", null)).ok).toBe(true);
  });

  it("refuse a value Auth2 never issued, before any storage call", async () => {
    for (const bogus of ["", "short", "a".repeat(44), "+".repeat(43), "x".repeat(43)]) {
      expect(await consume(bogus, "authenticate", null)).toMatchObject({ ok: false, code: "passkey_challenge_invalid" });
    }
  });

  it("only the challenge's hash is stored, in its Limiter shard, and it is gone after use", async () => {
    const issued = await issue("register", "user-d");
    const id = sha256Hex(issued.challenge);
    const stub = shardStub(env, passkeyChallengeShardKey("register", id, "user-d"));
    const before = await runInDurableObject(stub, (_o, state) => state.storage.sql.exec("SELECT * FROM passkey_challenges").toArray());
    expect(before).toHaveLength(1);
    expect(JSON.stringify(before)).not.toContain(issued.challenge);
    expect(before[0]).toMatchObject({ id, purpose: "register", user_id: "user-d", site_key: SITE });
    await consume(issued.challenge, "register", "user-d");
    const after = await runInDurableObject(stub, (_o, state) => state.storage.sql.exec("SELECT * FROM passkey_challenges").toArray());
    expect(after).toHaveLength(0);
  });

  it("sign-in challenges spread over the Limiter shards by their hash; registration ones sit in the user's shard", () => {
    expect(passkeyChallengeShardKey("authenticate", "ab12", null)).toBe("passkey-challenge:ab12");
    expect(passkeyChallengeShardKey("factor", "0f99", "user-x")).toBe("passkey-challenge:0f99");
    expect(passkeyChallengeShardKey("register", "ab12", "user-x")).toBe("passkey-register:user-x");
    expect(() => passkeyChallengeShardKey("register", "ab", null)).toThrow();
    const shards = new Set(Array.from({ length: 400 }, (_, n) => shardName(passkeyChallengeShardKey("authenticate", sha256Hex(String(n)), null))));
    expect(shards.size).toBe(SHARD_COUNT);
  });

  it("concurrent uses of one challenge: exactly one wins", async () => {
    const issued = await issue("authenticate", null);
    const results = await Promise.all(Array.from({ length: 8 }, () => consume(issued.challenge, "authenticate", null)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });
});
