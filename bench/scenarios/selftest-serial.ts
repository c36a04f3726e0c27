import type { Scenario } from "../lib/types";

// Optional self-test of the harness (`npm run bench -- selftest-serial`): request factories, bulk
// seeding between two measurements, a floor that is another route, a check hook and an expected
// non-2xx status. It measures only floor routes, so its figures say nothing about Auth2 itself.

const seen = new Set<number>();
let sent = 0;

const scenario: Scenario = {
  name: "selftest-serial",
  description: "harness self-test: factories, prepare/bulk seeding, route-as-floor, checks",
  optional: true,
  async setup(ctx) {
    await ctx.seedSite("selftest", { policy: { twofa_mode: "optional" } });
    await ctx.seedUsers(1000, { idPrefix: "usr_st_", emailPrefix: "st" });
  },
  routes: [
    {
      label: "factory",
      // Every request carries its index; the check proves none was sent twice.
      request: (i) => {
        seen.add(i);
        sent++;
        return { path: `/__bench/bare?i=${i}` };
      },
      floor: "bare",
      targets: { minRatioRps: 0.5 },
      async check(_ctx, result) {
        const problems: string[] = [];
        if (seen.size !== sent) problems.push(`factory indices repeated: ${sent} built, ${seen.size} distinct`);
        if (seen.size < result.stats.latency.count) problems.push(`fewer indices (${seen.size}) than responses (${result.stats.latency.count})`);
        return problems;
      },
    },
    { label: "d1_small", request: { path: "/__bench/d1" }, floor: "d1" },
    {
      label: "d1_large",
      request: { path: "/__bench/d1" },
      // The same point read after the tables grew: must not care.
      floor: "d1_small",
      targets: { maxRatioP50: 2 },
      async prepare(ctx) {
        const t0 = performance.now();
        await ctx.seedUsers(99_000, { start: 1001, idPrefix: "usr_st_", emailPrefix: "st" });
        await ctx.seedAudit(200_000, { users: 100_000, idPrefix: "usr_st_" });
        ctx.log(`seeded 99 000 users and 200 000 audit rows in ${Math.round(performance.now() - t0)} ms`);
      },
      async check(ctx) {
        const [users] = await ctx.sql<{ n: number }>("SELECT count(*) AS n FROM users WHERE id LIKE 'usr_st_%'");
        const [user] = await ctx.sql<{ email: string }>("SELECT email FROM users WHERE id = ?", "usr_st_100000");
        return [
          ...(users?.n === 100_000 ? [] : [`expected 100000 seeded users, found ${users?.n}`]),
          ...(user?.email === "st100000@bench.test" ? [] : [`row 100000 has email ${user?.email}`]),
        ];
      },
    },
    {
      label: "login_unknown_site",
      // Not 2xx, and expected: the status check must accept exactly 404 here.
      request: { method: "POST", path: "/api/no_such_route", body: { site_key: "selftest" } },
      expectStatus: 404,
      floor: "bare",
      mode: "sequential",
      samples: 50,
    },
  ],
};

export default scenario;
