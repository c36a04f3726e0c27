import type { Scenario } from "../lib/types";

// Optional self-test of the interleaved schedule (`npm run bench -- selftest-interleaved`), the shape of
// a timing-equality check: two cases sampled alternately, one request at a time, medians compared.

const scenario: Scenario = {
  name: "selftest-interleaved",
  description: "harness self-test: two cases sampled alternately, median difference",
  optional: true,
  schedule: "interleaved",
  routes: [
    { label: "case_a", request: { path: "/__bench/bare?case=a" }, floor: "bare", mode: "sequential", samples: 200 },
    {
      label: "case_b",
      request: { path: "/__bench/bare?case=b" },
      floor: "case_a",
      mode: "sequential",
      samples: 200,
      // Same route under two names: the medians must agree within 10 ms (the enumeration check's bound).
      targets: { maxDiffP50Ms: 10 },
    },
  ],
};

export default scenario;
