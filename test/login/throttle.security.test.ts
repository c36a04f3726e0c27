import { env, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Limiter } from "../../src/durable/limiter";
import { emailDigest } from "../../src/crypto/email-digest";
import { shardStub } from "../../src/store/limits";
import { call, createSite } from "../helpers";
import { PASSWORD, auditRows, json, limiterState, login, seedPasswordUser } from "./helpers";

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const emailKey = (email: string) => `login-email:${emailDigest(env.CODE_HMAC_KEY!, email)}`;
let ipN = 0;
const ip = () => ({ "CF-Connecting-IP": `192.0.2.${++ipN}` });

async function attempt(email: string, password: string, headers: Record<string, string> = ip(), path = "/api/auth_login") {
  const res = await call(path, { json: { site_key: "demo", email, password }, headers });
  return { status: res.status, retryAfter: res.headers.get("Retry-After"), body: await json(res) };
}

describe("per-email throttle", () => {
  for (const kind of ["existing", "unknown"] as const) {
    it(`${kind} email: 5 failures → 429 with a growing Retry-After, 10 → 15-minute lock that attempts do not extend`, async () => {
      vi.useFakeTimers({ toFake: ["Date"] });
      const user = kind === "existing" ? await seedPasswordUser() : null;
      const email = user ? user.email : `nobody-${crypto.randomUUID()}@example.com`;
      const target = `target_id = '${user ? user.id : emailDigest(env.CODE_HMAC_KEY!, email)}'`;
      for (let i = 0; i < 5; i++) expect((await attempt(email, "wrong password")).status).toBe(401);
      let r = await attempt(email, PASSWORD); // even the right password is refused, before any hashing
      expect(r.status).toBe(429);
      expect(r.body.error).toMatchObject({ code: "rate_limited", retry_after: 15 });
      expect(r.retryAfter).toBe("15");
      const failuresLogged = (await auditRows(`action = 'login.failure' AND ${target}`)).length;
      expect(failuresLogged).toBe(5);
      const waits: number[] = [];
      for (let n = 6; n <= 9; n++) {
        vi.setSystemTime(Date.now() + Number(r.retryAfter) * 1000);
        expect((await attempt(email, "wrong password")).status).toBe(401);
        r = await attempt(email, "wrong password");
        expect(r.status).toBe(429);
        waits.push(Number(r.retryAfter));
      }
      expect(waits).toEqual([30, 60, 120, 240]);
      vi.setSystemTime(Date.now() + 240_000);
      expect((await attempt(email, "wrong password")).status).toBe(401); // the 10th failure
      r = await attempt(email, PASSWORD);
      expect(r.status).toBe(429);
      expect(Number(r.retryAfter)).toBe(900);
      const lock = await auditRows(`action = 'login.lockout' AND target_id = '${emailDigest(env.CODE_HMAC_KEY!, email)}'`);
      expect(lock).toHaveLength(1);
      // Attempts while locked are refused without extending the lock.
      vi.setSystemTime(Date.now() + 300_000);
      for (let i = 0; i < 3; i++) expect((await attempt(email, "wrong password")).retryAfter).toBe("600");
      vi.setSystemTime(Date.now() + 600_000);
      const after = await attempt(email, kind === "existing" ? PASSWORD : "wrong password");
      expect(after.status).toBe(kind === "existing" ? 200 : 401);
      // Exactly 10 hashed failures were recorded in all this time.
      expect((await auditRows(`action = 'login.failure' AND ${target}`)).length).toBe(kind === "existing" ? 10 : 11);
    });
  }

  it("forgets failures after a success, and after 15 minutes", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const user = await seedPasswordUser();
    for (let i = 0; i < 4; i++) expect((await attempt(user.email, "nope nope nope")).status).toBe(401);
    expect((await attempt(user.email, PASSWORD)).status).toBe(200);
    expect((await limiterState(emailKey(user.email)))?.failures).toEqual([]);
    for (let i = 0; i < 5; i++) expect((await attempt(user.email, "nope nope nope")).status).toBe(401);
    expect((await attempt(user.email, "nope nope nope")).status).toBe(429);
    vi.setSystemTime(Date.now() + 901_000);
    expect((await attempt(user.email, "nope nope nope")).status).toBe(401);
  });

  it("counts all of 50 parallel wrong passwords: only 5 reach the hash, 45 are refused", async () => {
    const user = await seedPasswordUser();
    const results = await Promise.all(Array.from({ length: 50 }, () => attempt(user.email, "parallel guess", ip())));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(45);
    expect((await limiterState(emailKey(user.email)))?.failures).toHaveLength(5);
    expect(await auditRows(`action = 'login.failure' AND target_id = '${user.id}'`)).toHaveLength(5);
  });

  it("shares the limit across path variants and normalised email spellings", async () => {
    const user = await seedPasswordUser();
    const paths = ["/api/auth_login", "/api/auth_login.php", "/API/Auth_Login/", "/api/AUTH_LOGIN.PHP", "/api/auth_login/"];
    for (const [i, path] of paths.entries()) {
      const spelled = i % 2 ? `  ${user.email.toUpperCase()} ` : user.email;
      expect((await attempt(spelled, "wrong password", ip(), path)).status).toBe(401);
    }
    expect((await attempt(user.email, PASSWORD, ip(), "/api/Auth_Login.php")).status).toBe(429);
  });
});

describe("per-address and per-site caps", () => {
  it("caps attempts per client address at 60 a minute; X-Forwarded-For changes nothing", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const headers = { "CF-Connecting-IP": "198.18.0.7" };
    for (let i = 0; i < 60; i++) {
      const r = await attempt(`cap-${i}@example.com`, "whatever pass", { ...headers, "X-Forwarded-For": `10.0.0.${i}` });
      expect(r.status).toBe(401);
    }
    const r = await attempt("cap-x@example.com", "whatever pass", { ...headers, "X-Forwarded-For": "10.9.9.9" });
    expect(r.status).toBe(429);
    expect(r.body.error.code).toBe("rate_limited");
    expect(Number(r.retryAfter)).toBeGreaterThan(0);
    // Another address is unaffected; a minute later this one works again.
    expect((await attempt("cap-y@example.com", "whatever pass", { "CF-Connecting-IP": "198.18.0.8" })).status).toBe(401);
    vi.setSystemTime(Date.now() + 61_000);
    expect((await attempt("cap-z@example.com", "whatever pass", headers)).status).toBe(401);
  });

  it("counts IPv6 clients by /64", async () => {
    const key = "ip6:2001:db8:aa:bb::/64";
    await runInDurableObject(shardStub(env, key), async (instance: Limiter) => {
      for (let i = 0; i < 60; i++) await instance.take(key, "login", 60, 60);
    });
    for (const addr of ["2001:db8:aa:bb::1", "2001:0db8:00aa:00bb:ffff:1:2:3", "2001:DB8:AA:BB:0:0:0:9"]) {
      expect((await attempt("v6@example.com", "whatever pass", { "CF-Connecting-IP": addr })).status).toBe(429);
    }
    expect((await attempt("v6@example.com", "whatever pass", { "CF-Connecting-IP": "2001:db8:aa:bc::1" })).status).toBe(401);
  });

  it("an IPv4 client is one client in either spelling: IPv4-mapped IPv6 shares its IPv4 bucket", async () => {
    // 60 sign-in attempts a minute per client: 30 as 198.51.100.7 and 30 as ::ffff:198.51.100.7 use it up.
    for (let i = 0; i < 30; i++) {
      expect((await attempt(`mapped-a-${i}@example.com`, "whatever pass", { "CF-Connecting-IP": "198.51.100.7" })).status).toBe(401);
      expect((await attempt(`mapped-b-${i}@example.com`, "whatever pass", { "CF-Connecting-IP": "::ffff:198.51.100.7" })).status).toBe(401);
    }
    for (const spelling of ["198.51.100.7", "::ffff:198.51.100.7", "::FFFF:c633:6407", "[::ffff:198.51.100.7]", "0:0:0:0:0:ffff:198.51.100.7", "::198.51.100.7"]) {
      const r = await attempt("mapped-x@example.com", "whatever pass", { "CF-Connecting-IP": spelling });
      expect(r.status, spelling).toBe(429);
      expect(r.body.error.code).toBe("rate_limited");
    }
    // Mapped clients no longer share one bucket: another mapped address has its own full budget.
    expect((await attempt("mapped-y@example.com", "whatever pass", { "CF-Connecting-IP": "::ffff:198.51.100.8" })).status).toBe(401);
    expect((await attempt("mapped-z@example.com", "whatever pass", { "CF-Connecting-IP": "198.51.100.9" })).status).toBe(401);
  });

  it("caps attempts per site", async () => {
    await createSite("busy");
    const key = "login-site:busy";
    await runInDurableObject(shardStub(env, key), async (instance: Limiter) => {
      for (let i = 0; i < 600; i++) await instance.take(key, "login", 600, 60);
    });
    const res = await call("/api/auth_login", { json: { site_key: "busy", email: "a@example.com", password: "whatever pass" }, headers: ip() });
    expect(res.status).toBe(429);
    expect((await attempt("a@example.com", "whatever pass")).status).toBe(401); // other sites unaffected
  });
});

describe("client address keys", () => {
  it("keys IPv6 by /64 whatever the spelling, IPv4 by address", async () => {
    const { ipKey: ipLimiterKey } = await import("../../src/store/limits");
    for (const addr of ["2001:db8:aa:bb::1", "2001:0DB8:00AA:00BB:0:0:0:1", "[2001:db8:aa:bb:1:2:3:4]", "2001:db8:aa:bb::1.2.3.4", "2001:db8:aa:bb::1%eth0"]) {
      expect(ipLimiterKey(addr), addr).toBe("ip6:2001:db8:aa:bb::/64");
    }
    expect(ipLimiterKey("::1")).toBe("ip6:0:0:0:0::/64");
    expect(ipLimiterKey("::")).toBe("ip6:0:0:0:0::/64");
    expect(ipLimiterKey("203.0.113.9")).toBe("ip:203.0.113.9");
    // IPv4-mapped and IPv4-compatible IPv6 addresses are the IPv4 address they carry.
    for (const addr of ["::ffff:203.0.113.9", "::FFFF:cb00:7109", "0:0:0:0:0:ffff:cb00:7109", "[::ffff:203.0.113.9]", "::203.0.113.9", "203.0.113.009"]) {
      expect(ipLimiterKey(addr), addr).toBe("ip:203.0.113.9");
    }
    // Not mapped: an ordinary IPv6 address whose tail looks like IPv4 stays in its /64.
    expect(ipLimiterKey("64:ff9b::203.0.113.9")).toBe("ip6:64:ff9b:0:0::/64");
    expect(ipLimiterKey("::ffff:0:203.0.113.9")).toBe("ip6:0:0:0:0::/64");
  });

  it("audit rows and sessions see the canonical address", async () => {
    const { canonicalIp } = await import("../../src/lib/ip");
    expect(canonicalIp("::ffff:198.51.100.7")).toBe("198.51.100.7");
    expect(canonicalIp(" 2001:DB8::1 ")).toBe("2001:db8::1");
    const r = await attempt(`canon-${crypto.randomUUID()}@example.com`, "whatever pass", { "CF-Connecting-IP": "::ffff:192.0.2.200" });
    expect(r.status).toBe(401);
    const rows = await auditRows("action = 'login.failure' AND ip = '192.0.2.200'");
    expect(rows.length).toBeGreaterThan(0);
  });
});
