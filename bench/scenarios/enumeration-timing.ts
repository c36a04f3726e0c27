import { EMAIL_FAILURE_POLICY } from "../../src/services/limits/login";
import { limitKey, shardName } from "../../src/store/limits";
import type { BenchContext, RouteSpec, Scenario } from "../lib/types";

// Issue 9: account enumeration by timing. For sign-in, password-reset request, onboarding request and
// registration, an existing, unknown, pending, disabled and locked address must take the same time:
// one sequential route per case, all sampled round-robin (interleaved, so drift on a shared machine
// hits every case alike), each case's median within 10 ms of its flow's first case (3 ms for unknown
// vs existing and for warm vs unknown). Every sample uses
// its own address and client address, so no rate limit answers instead of the code path the case
// means, and every response body must be byte-equal (request id aside) to the first case's.
// Locked = the per-email sign-in limiter tripped (10 failures), set in the Limiter object directly
// (dated an hour ahead, so the 15-minute lock outlasts a slow run; its Retry-After is masked).
// Sign-in answers a locked address 429 without hashing — the same as an unknown address that was
// hammered as often — so sign-in's locked case is compared with "locked_unknown", not with a 401 case.

const SAMPLES = Number(process.env.BENCH_ENUM_SAMPLES || 200);
const WARMUP = 3;
/** Addresses per case: every warm-up and measured sample gets its own. */
const PER_CASE = SAMPLES + WARMUP;
const SITE = "bench-enum";
const WRONG_PASSWORD = "Wrong-password-0001";
const STRONG = "Unguessable-Correct-Horse-42";
/** Locks are dated this far ahead so they outlast the run (see seedFlow). */
const LOCK_AHEAD_MS = 60 * 60 * 1000;

const CASES = ["existing", "unknown", "pending", "disabled", "locked"] as const;
/**
 * `warm`: an unknown address that was tried a moment ago — sample i uses the address the `unknown`
 * case used one round earlier (issue 15 item 5: warm per-address objects answered faster than new
 * ones; with the fixed shard pool both reach objects that already exist). `existing` addresses are
 * accounts nobody touched in this run (their objects idle or never created).
 */
type Case = (typeof CASES)[number] | "locked_unknown" | "warm";

interface Flow {
  name: string;
  path: string;
  body: (email: string) => Record<string, unknown>;
  cases: Case[];
  /** Cases answered differently from the flow's first case: references of their own (floor bare). */
  heads?: Case[];
  /** Cases compared with another case than the flow's first. */
  compareWith?: Partial<Record<Case, Case>>;
}

const FLOWS: Flow[] = [
  {
    name: "login",
    path: "/api/auth_login",
    body: (email) => ({ site_key: SITE, email, password: WRONG_PASSWORD }),
    cases: ["existing", "unknown", "warm", "pending", "disabled", "locked_unknown", "locked"],
    heads: ["locked_unknown"],
    compareWith: { locked: "locked_unknown", warm: "unknown" },
  },
  { name: "reset", path: "/api/auth_password_reset_request", body: (email) => ({ site_key: SITE, email }), cases: [...CASES, "warm"], compareWith: { warm: "unknown" } },
  { name: "onboarding", path: "/api/auth_onboarding_request", body: (email) => ({ site_key: SITE, email }), cases: [...CASES, "warm"], compareWith: { warm: "unknown" } },
  // No warm case: registering an unknown address creates an account, so a second try is not unknown any more.
  { name: "register", path: "/api/auth_register", body: (email) => ({ site_key: SITE, email, password: STRONG, name: "Enum Person" }), cases: [...CASES] },
];

/** The limit per case: unknown vs existing and warm vs unknown within 3 ms (issue 15 item 5), the rest within 10 ms (issue 9). */
const maxDiffMs = (c: Case) => (c === "unknown" || c === "warm" ? 3 : 10);

/** Address n of a case in a flow (unknown ones are never seeded; warm ones are the unknown case's, one sample behind). */
const email = (flow: string, c: Case, n: number): string => (c === "warm" ? email(flow, "unknown", n - 1) : `enum-${flow}-${c.replace("_", "-")}-${n}@bench.test`);

/** Distinct client address per flow, case and sample. */
function clientIp(flowIndex: number, caseIndex: number, i: number): string {
  return `172.${16 + flowIndex * 4 + (caseIndex >> 1)}.${((caseIndex & 1) << 7) | ((i >> 8) & 127)}.${i & 255}`;
}

/** Bodies seen per route id, with the request id and a 429's retry_after masked. */
const bodies = new Map<string, Map<string, number>>();

function normalise(body: string): string {
  return body.replace(/"request_id":"[^"]*"/g, '"request_id":"-"').replace(/"retry_after":\d+/g, '"retry_after":-');
}

async function seedFlow(ctx: BenchContext, flow: Flow): Promise<void> {
  const statusOf: Partial<Record<Case, "active" | "pending" | "disabled">> = { existing: "active", pending: "pending", disabled: "disabled", locked: "active" };
  for (const c of flow.cases) {
    const status = statusOf[c];
    if (!status) continue;
    await ctx.seedUsers(PER_CASE, { idPrefix: `usr_enum_${flow.name}_${c}_`, emailPrefix: `enum-${flow.name}-${c}-`, status });
  }
  // Locked: ten failures in the per-email sign-in limiter, as ten wrong passwords would leave. They are
  // dated LOCK_AHEAD_MS ahead: a lock lasts 15 minutes from the tenth failure, and a run on a busy
  // machine takes longer than that; dated ahead, every address stays locked until the run is over.
  const lockAt = Date.now() + LOCK_AHEAD_MS;
  const codeKey = () => ctx.vars.CODE_HMAC_KEY!;
  const ns = await ctx.mf.getDurableObjectNamespace("LIMITER");
  for (const c of ["locked", "locked_unknown"] as const) {
    if (!flow.cases.includes(c)) continue;
    const queue = Array.from({ length: PER_CASE }, (_, k) => k + 1);
    const worker = async () => {
      for (let n = queue.pop(); n !== undefined; n = queue.pop()) {
        // The key's row in its shard of the fixed pool, as the Worker's own limits store finds it.
        const key = limitKey({ kind: "login-email", email: email(flow.name, c, n) }, codeKey);
        const stub = ns.get(ns.idFromName(shardName(key))) as unknown as { recordFailure(key: string, policy: unknown, now: number): Promise<unknown> };
        for (let k = 0; k < EMAIL_FAILURE_POLICY.hardLimit; k++) await stub.recordFailure(key, EMAIL_FAILURE_POLICY, lockAt + k);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
  }
}

function routesFor(flow: Flow, flowIndex: number): RouteSpec[] {
  const first = flow.cases[0]!;
  // A group's first case (the flow's first, or one another case is compared with) is the reference.
  const heads = new Set<Case>([first, ...(flow.heads ?? [])]);
  return flow.cases.map((c, caseIndex) => {
    const id = `${flow.name}_${c}`;
    const floor = flow.compareWith?.[c] ?? (heads.has(c) ? "bare" : first);
    return {
      label: id,
      mode: "sequential",
      samples: SAMPLES,
      warmupSamples: WARMUP,
      request: (i: number) => ({
        method: "POST",
        path: flow.path,
        headers: { "cf-connecting-ip": clientIp(flowIndex, caseIndex, i) },
        body: flow.body(email(flow.name, c, i + 1)),
      }),
      onResponse: (_i: number, status: number, body: string) => {
        const seen = bodies.get(id) ?? new Map<string, number>();
        const key = `${status} ${normalise(body)}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
        bodies.set(id, seen);
      },
      floor: floor === "bare" ? "bare" : `${flow.name}_${floor}`,
      ...(floor !== "bare" && { targets: { maxDiffP50Ms: maxDiffMs(c) } }),
      expectStatus: [200, 202, 401, 429],
      check: async () => checkBodies(id, floor === "bare" ? null : `${flow.name}_${floor}`),
    };
  });
}

/** One answer (status + body) for every sample of a case, the same as its reference case's. */
function checkBodies(id: string, reference: string | null): string[] {
  const mine = [...(bodies.get(id)?.keys() ?? [])];
  const problems: string[] = [];
  if (mine.length !== 1) problems.push(`${mine.length} different answers: ${mine.slice(0, 3).map((b) => b.slice(0, 160)).join(" | ")}`);
  if (reference) {
    const theirs = [...(bodies.get(reference)?.keys() ?? [])];
    if (mine.length === 1 && theirs.length === 1 && mine[0] !== theirs[0]) problems.push(`answer differs from ${reference}: ${mine[0]!.slice(0, 160)} vs ${theirs[0]!.slice(0, 160)}`);
  }
  return problems;
}

const scenario: Scenario = {
  name: "enumeration-timing",
  description: `existing/unknown/warm/pending/disabled/locked addresses: same answer; unknown vs idle existing and warm vs never-seen within 3 ms, the rest within 10 ms (login, reset, onboarding, register; ${SAMPLES} samples each, interleaved)`,
  order: 80,
  schedule: "interleaved",
  async setup(ctx) {
    bodies.clear();
    await ctx.seedSite(SITE, { policy: { login_mode: "password", twofa_mode: "off", reset_mode: "link", allow_self_registration: true } });
    for (const flow of FLOWS) await seedFlow(ctx, flow);
    ctx.log(`${FLOWS.reduce((s, f) => s + f.cases.length, 0)} cases × ${SAMPLES} samples (BENCH_ENUM_SAMPLES), one address and client address per sample`);
  },
  routes: FLOWS.flatMap(routesFor),
  summary: (results) => {
    const lines: string[] = [];
    for (const flow of FLOWS) {
      const parts = flow.cases.map((c) => {
        const r = results.get(`enumeration-timing/${flow.name}_${c}`);
        if (!r) return `${c} –`;
        const diff = r.floorFigures && r.floor !== "bare" ? ` (${r.stats.latency.p50 - r.floorFigures.p50 >= 0 ? "+" : ""}${(r.stats.latency.p50 - r.floorFigures.p50).toFixed(1)} vs ${r.floor.replace(`${flow.name}_`, "")})` : "";
        return `${c} ${r.stats.latency.p50.toFixed(1)} ms${diff}`;
      });
      lines.push(`Enumeration timing, ${flow.name} (${flow.path}), median of ${SAMPLES}: ${parts.join(", ")}.`);
    }
    return lines;
  },
};

export default scenario;
