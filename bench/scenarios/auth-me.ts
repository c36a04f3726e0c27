import type { Scenario } from "../lib/types";

// Issue 3: the session check (`GET /api/auth_me` with a Bearer token) under 32 connections against the
// floor that makes one Durable Object call and nothing else. Sessions are created through auth_login in
// setup (real tokens, real UserState), spread over several users so the load is not one DO instance only.

const SITE = "bench-me";
const SESSIONS = 8;
const tokens: string[] = [];

const scenario: Scenario = {
  name: "auth-me",
  description: "auth_me with a Bearer session token vs one DO call, 32 connections",
  order: 40,
  async setup(ctx) {
    await ctx.seedSite(SITE, { policy: { login_mode: "password", twofa_mode: "off" } });
    await ctx.seedUsers(SESSIONS, { idPrefix: "usr_me_", emailPrefix: "me" });
    tokens.length = 0;
    for (let n = 1; n <= SESSIONS; n++) {
      const res = await ctx.call("/api/auth_login", {
        json: { site_key: SITE, email: `me${n}@bench.test`, password: ctx.password },
        headers: { "cf-connecting-ip": `198.18.0.${n}` },
      });
      const body = (await res.json()) as { session?: { token?: string } };
      if (res.status !== 200 || !body.session?.token) throw new Error(`auth-me setup login ${n}: ${res.status} ${JSON.stringify(body)}`);
      tokens.push(body.session.token);
    }
    ctx.log(`${tokens.length} sessions`);
  },
  routes: [
    {
      label: "auth_me",
      request: (i) => ({ path: "/api/auth_me", headers: { authorization: `Bearer ${tokens[i % tokens.length]}` } }),
      floor: "do",
      targets: { minRatioRps: 0.7, maxRatioP99: 2 },
    },
  ],
};

export default scenario;
