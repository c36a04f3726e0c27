import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { expect } from "vitest";
import type { Env } from "../../src/env";
import worker from "../../src/index";
import { type CallOptions, buildRequest } from "../helpers";

// Fault injection over the REAL bindings. `faultyEnv` wraps env.DB (D1), env.CHALLENGES (KV) and the
// two Durable Object namespaces so that every storage call is one numbered "step": a D1 statement
// execution (run/all/raw/first) or a whole db.batch, a KV get/put/delete/list, a Durable Object RPC.
// The step the plan names throws the error the platform throws (a D1_ERROR, a failed KV operation, a
// Durable Object reset); every other step goes to the real binding, so the state a failure leaves
// behind is the real state. `sweep` runs a flow once to learn its steps, then once per step with that
// step failing, each time on fresh fixtures.

export type StepKind = "d1" | "kv" | "do";

export interface Step {
  kind: StepKind;
  /** "d1 run: update users …", "kv put challenge:…", "do UserState.createSession". */
  label: string;
}

export interface FaultPlan {
  /** 1-based index of the step that fails (counting all kinds), or a predicate on the step. */
  failAt?: number | ((step: Step, index: number) => boolean);
}

export interface FaultyEnv {
  env: Env;
  steps: Step[];
  /** The steps that were made to fail. */
  failed: Step[];
}

const D1_EXEC = new Set(["run", "all", "raw", "first"]);
const KV_OPS = new Set(["get", "getWithMetadata", "put", "delete", "list"]);

function storageError(kind: StepKind): Error {
  if (kind === "d1") return new Error("D1_ERROR: Network connection lost.");
  if (kind === "kv") return new Error("KV PUT failed: 503 Service Unavailable");
  return new Error("Durable Object reset because its code was updated.");
}

export function faultyEnv(plan: FaultPlan = {}): FaultyEnv {
  const steps: Step[] = [];
  const failed: Step[] = [];
  // Called before each real storage call: records the step and throws if the plan says so.
  const step = (kind: StepKind, label: string) => {
    const s = { kind, label };
    steps.push(s);
    const index = steps.length;
    const hit = typeof plan.failAt === "number" ? plan.failAt === index : plan.failAt ? plan.failAt(s, index) : false;
    if (hit) {
      failed.push(s);
      throw storageError(kind);
    }
  };

  const realOf = new WeakMap<object, D1PreparedStatement>();
  const sqlOf = new WeakMap<object, string>();
  const wrapStatement = (real: D1PreparedStatement, sql: string): D1PreparedStatement => {
    const proxy = new Proxy(real, {
      get(target, prop) {
        if (prop === "bind") return (...args: unknown[]) => wrapStatement(target.bind(...args), sql);
        if (typeof prop === "string" && D1_EXEC.has(prop)) {
          return async (...args: unknown[]) => {
            step("d1", `d1 ${prop}: ${sql}`);
            return (target as unknown as Record<string, (...a: unknown[]) => unknown>)[prop]!(...args);
          };
        }
        const v = Reflect.get(target, prop, target);
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
    realOf.set(proxy, real);
    sqlOf.set(proxy, sql);
    return proxy;
  };
  const db = new Proxy(env.DB, {
    get(target, prop) {
      if (prop === "prepare") return (sql: string) => wrapStatement(target.prepare(sql), sql);
      if (prop === "batch") {
        return async (stmts: D1PreparedStatement[]) => {
          step("d1", `d1 batch: ${stmts.map((s) => sqlOf.get(s) ?? "?").join(" ; ")}`);
          return target.batch(stmts.map((s) => realOf.get(s) ?? s));
        };
      }
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });

  const kv = new Proxy(env.CHALLENGES, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target);
      if (typeof prop === "string" && KV_OPS.has(prop)) {
        return async (...args: unknown[]) => {
          step("kv", `kv ${prop} ${typeof args[0] === "string" ? args[0].split(":").slice(0, 2).join(":") : ""}`);
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return typeof v === "function" ? v.bind(target) : v;
    },
  });

  const namespace = <T extends Env["USER_STATE"] | Env["LIMITER"]>(ns: T, className: string): T =>
    new Proxy(ns, {
      get(target, prop) {
        const v = Reflect.get(target, prop, target);
        if (prop === "get" || prop === "getByName") {
          return (...args: unknown[]) => {
            const stub = (v as (...a: unknown[]) => object).apply(target, args);
            return new Proxy(stub, {
              get(s, method) {
                const m = Reflect.get(s, method);
                if (typeof method !== "string" || method === "id" || method === "name" || typeof m !== "function") return m;
                return async (...margs: unknown[]) => {
                  step("do", `do ${className}.${method}`);
                  return (s as unknown as Record<string, (...a: unknown[]) => unknown>)[method]!(...margs);
                };
              },
            });
          };
        }
        return typeof v === "function" ? v.bind(target) : v;
      },
    });

  const wrapped = {
    ...env,
    DB: db,
    CHALLENGES: kv,
    USER_STATE: namespace(env.USER_STATE, "UserState"),
    LIMITER: namespace(env.LIMITER, "Limiter"),
  } as Env;
  return { env: wrapped, steps, failed };
}

/** Sends a request through the Worker's fetch handler with the given env (test/helpers.ts `call` with an env). */
export async function callWith(faulty: Env, path: string, options: CallOptions = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const request = buildRequest(path, options) as Parameters<NonNullable<ExportedHandler<Env>["fetch"]>>[0];
  const res = await (worker as ExportedHandler<Env>).fetch!(request, faulty, ctx);
  // Work deferred after the answer (mail) runs on the same faulty bindings; its failure is not the client's.
  await waitOnExecutionContext(ctx).catch(() => undefined);
  return res;
}

/** Internals a 503 must never show: driver messages, SQL, binding and class names, stack frames. */
const LEAKS = /D1_ERROR|SQLITE|select |insert |update |delete from|KV (GET|PUT)|CHALLENGES|USER_STATE|LIMITER|UserState|Limiter|Durable Object|at .*\.(ts|js):\d+|stack/i;

/** A storage failure answered as the documented envelope: 503 service_unavailable with a request id, nothing internal. */
export async function expectUnavailable(res: Response): Promise<void> {
  const text = await res.clone().text();
  expect(res.status, text).toBe(503);
  const body = JSON.parse(text) as { ok: boolean; error: { code: string; message: string }; request_id: string };
  expect(body.ok).toBe(false);
  expect(body.error.code).toBe("service_unavailable");
  expect(body.request_id).toMatch(/\S{8,}/);
  expect(res.headers.get("X-Request-Id") ?? body.request_id).toBe(body.request_id);
  expect(text).not.toMatch(LEAKS);
}

export interface SweepCase<F> {
  /** Fresh fixtures for one run (its own users, IPs, tokens). */
  setup: () => Promise<F>;
  /** The request under test, with the (possibly faulty) env. */
  act: (env: Env, fixture: F) => Promise<Response>;
  /** The clean run's expected status. */
  okStatus: number;
  /**
   * The state after a run whose step `failed` failed and was answered `res` (503, or the ok status
   * where the flow deliberately tolerates that step). Must hold after every step.
   */
  verify: (fixture: F, res: Response, failed: Step) => Promise<void>;
  /** Steps whose failure the flow tolerates and answers normally (best-effort work); default none. */
  tolerated?: (step: Step) => boolean;
}

/**
 * Runs the flow once cleanly (learning its storage steps), then once per step with exactly that step
 * failing. Returns the clean run's steps (so a test can assert which steps the flow has).
 */
export async function sweep<F>(c: SweepCase<F>): Promise<Step[]> {
  const clean = faultyEnv();
  const res = await c.act(clean.env, await c.setup());
  expect(res.status, await res.clone().text()).toBe(c.okStatus);
  for (let i = 1; i <= clean.steps.length; i++) {
    const fixture = await c.setup();
    const faulty = faultyEnv({ failAt: i });
    const r = await c.act(faulty.env, fixture);
    const failedStep = faulty.failed[0];
    if (!failedStep) continue; // the flow took a shorter path this time (fewer steps)
    const where = `step ${i} (${failedStep.label})`;
    if (c.tolerated?.(failedStep) && r.status === c.okStatus) {
      await c.verify(fixture, r, failedStep);
      continue;
    }
    try {
      await expectUnavailable(r);
      await c.verify(fixture, r, failedStep);
    } catch (err) {
      (err as Error).message = `${where}: ${(err as Error).message}`;
      throw err;
    }
  }
  return clean.steps;
}
