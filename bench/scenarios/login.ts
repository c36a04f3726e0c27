import type { Scenario } from "../lib/types";

// Issue 3: password login without 2FA against one production-parameter hash measured in the same run.
// Login = site resolution + user read + one scrypt verify (production parameters, peppered) + limiter
// calls + session start + audit; the hash dominates, so the target is "within 1.15× of one hash".
// Latency target → one request at a time (sequential), like the hash floor it is divided by.

const SITE = "bench-login";
const USERS = 1_000;

const scenario: Scenario = {
  name: "login",
  description: "auth_login (password mode, 2FA off) vs one production hash (/__bench/hash), sequential",
  order: 30,
  async setup(ctx) {
    await ctx.seedSite(SITE, { policy: { login_mode: "password", twofa_mode: "off" } });
    // All rows share one production-parameter hash of ctx.password (scrypt ln=14 r=8 p=5 + the bench
    // pepper, computed once in Node with src/crypto/password-hash.ts), so the Worker verifies exactly
    // what production would store.
    await ctx.seedUsers(USERS, { idPrefix: "usr_login_", emailPrefix: "login" });
    // One login up front proves the seed verifies (a wrong hash would make every sample a 401).
    const res = await ctx.call("/api/auth_login", {
      json: { site_key: SITE, email: "login1@bench.test", password: ctx.password },
      headers: { "cf-connecting-ip": "198.51.100.254" },
    });
    const body = (await res.json()) as { session?: { token?: string } };
    if (res.status !== 200 || !body.session?.token) throw new Error(`login setup: ${res.status} ${JSON.stringify(body)}`);
  },
  routes: [
    {
      label: "auth_login",
      mode: "sequential",
      samples: 40,
      warmupSamples: 3,
      // A different user and client IP per request: the per-email throttle (reset on success anyway)
      // and the per-IP limit (60/min) never answer instead of the route; at ≈ 1 login/s sequential the
      // per-site limit (600/min) is far away.
      request: (i) => ({
        method: "POST",
        path: "/api/auth_login",
        headers: { "cf-connecting-ip": `198.51.${100 + Math.floor(i / 250) % 100}.${(i % 250) + 1}` },
        body: { site_key: SITE, email: `login${(i % USERS) + 1}@bench.test`, password: "bench-Password-2026!" },
      }),
      floor: "password-hash/hash",
      targets: { maxRatioP50: 1.15 },
    },
  ],
};

export default scenario;
