import type { Scenario } from "../lib/types";

// Optional self-test of the concurrent schedule (`npm run bench -- selftest-mixed`): three floor routes
// loaded at the same time, each with its own connections and figures — the shape of a mixed load.

const scenario: Scenario = {
  name: "selftest-mixed",
  description: "harness self-test: a mixed load (three routes at once, per-route figures)",
  optional: true,
  schedule: "concurrent",
  routes: [
    { label: "bare", request: { path: "/__bench/bare" }, floor: "bare", connections: 16 },
    { label: "do", request: { path: "/__bench/do" }, floor: "do", connections: 8 },
    { label: "d1", request: { path: "/__bench/d1" }, floor: "d1", connections: 8 },
  ],
};

export default scenario;
