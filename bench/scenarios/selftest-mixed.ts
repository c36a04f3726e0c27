import type { Scenario } from "../lib/types";

// Optional self-test of the concurrent schedule (`npm run bench -- selftest-mixed`): three floor routes
// loaded at the same time, each with its own connections and figures — the shape of a mixed load —
// plus a paced two-request flow and a per-response hook whose check accounts for every answer.

const hooked = new Map<number, number>();
let flows = 0;

const scenario: Scenario = {
  name: "selftest-mixed",
  description: "harness self-test: a mixed load (three routes and a paced two-request flow at once, per-route figures, a response hook)",
  optional: true,
  schedule: "concurrent",
  routes: [
    { label: "bare", request: { path: "/__bench/bare" }, floor: "bare", connections: 16 },
    { label: "do", request: { path: "/__bench/do" }, floor: "do", connections: 8 },
    {
      label: "d1",
      request: (i) => ({ path: `/__bench/d1?i=${i}` }),
      floor: "d1",
      connections: 8,
      // Every answer seen once by index, and as many as the harness counted (warm-up included).
      onResponse: (i, status) => hooked.set(i, (hooked.get(i) ?? 0) * 1000 + status),
      async check(_ctx, result) {
        const bad = [...hooked.values()].filter((v) => v !== 200).length;
        return [
          ...(bad ? [`${bad} indices answered twice or not 200`] : []),
          ...(hooked.size < result.stats.latency.count ? [`hook saw ${hooked.size} answers, the harness ${result.stats.latency.count}`] : []),
        ];
      },
    },
    {
      label: "flow",
      // Two requests per sample, 4 flows per second at most: the rate must hold and both statuses count.
      request: {
        flow: async (_i, send) => {
          flows++;
          const a = await send({ path: "/__bench/bare?step=1" });
          if (a.status === 200) await send({ path: "/__bench/do?step=2" });
        },
      },
      floor: "bare",
      connections: 2,
      rate: 4,
      async check(ctx, result) {
        const seconds = ctx.options.durationSeconds + ctx.options.warmupSeconds;
        const requests = Object.values(result.stats.statusCounts).reduce((a, b) => a + b, 0);
        return [
          ...(flows > 4 * seconds + 2 ? [`${flows} flows in ${seconds} s at 4/s`] : []),
          ...(requests !== 2 * result.stats.latency.count ? [`${requests} requests for ${result.stats.latency.count} flows`] : []),
        ];
      },
    },
  ],
};

export default scenario;
