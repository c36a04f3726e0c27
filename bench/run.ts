// `npm run bench [-- [options] [scenario …]]`: builds the Worker as wrangler deploys it, runs it on
// Miniflare (one workerd, real local bindings, temporary storage), measures the floor routes and every
// scenario's routes, prints the tables, writes bench/results/, and exits non-zero when a target fails.
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Miniflare } from "miniflare";
import { createContext } from "./lib/context";
import { cpuPressure, loadAverageNow, machineInfo, nodeScryptMs } from "./lib/machine";
import { renderReport, type Report, writeReport } from "./lib/report";
import { Runner } from "./lib/runner";
import { loadScenarios, planScenarios } from "./lib/scenarios";
import type { BenchOptions, RouteResult } from "./lib/types";
import { applyMigrations, buildWorker, ROOT, type StartedWorker, startWorker } from "./lib/worker";

const USAGE = `Usage: npm run bench -- [options] [scenario …]

Runs the floor routes (bare, one DO call, one D1 read) and the named scenarios (default: all in
bench/scenarios/), each route at a fixed number of connections after a warm-up, and divides each
route's figures by its floor's.

Options (environment variable in brackets):
  --duration <s>      seconds per measured load route            [BENCH_DURATION]     default 5
  --warmup <s>        unmeasured seconds before each load route  [BENCH_WARMUP]       default 1
  --connections <n>   concurrent connections for load routes     [BENCH_CONNECTIONS]  default 32
  --samples <n>       samples for sequential routes (default)    [BENCH_SAMPLES]      default 200
  --no-pair           divide by the run's floor passes only, instead of measuring each
                      load route's floor in slices alternating with it (halves the time)
  --list              list the scenarios and exit
  --help              this text`;

function parseArgs(argv: string[]): { options: BenchOptions; scenarios: string[]; list: boolean } {
  const num = (name: string, env: string | undefined, fallback: number) => {
    const v = env === undefined || env === "" ? fallback : Number(env);
    if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
    return v;
  };
  const values: Record<string, string> = {};
  const scenarios: string[] = [];
  let list = false;
  let paired = process.env.BENCH_PAIR !== "0";
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else if (arg === "--list") list = true;
    else if (arg === "--no-pair") paired = false;
    else if (arg.startsWith("--")) {
      const [key, inline] = arg.slice(2).split("=", 2) as [string, string | undefined];
      if (!["duration", "warmup", "connections", "samples"].includes(key)) throw new Error(`unknown option --${key}\n\n${USAGE}`);
      const value = inline ?? argv[++i];
      if (value === undefined) throw new Error(`--${key} needs a value`);
      values[key] = value;
    } else scenarios.push(arg);
  }
  const env = process.env;
  return {
    list,
    scenarios,
    options: {
      paired,
      durationSeconds: num("duration", values.duration ?? env.BENCH_DURATION, 5),
      warmupSeconds: values.warmup === "0" || env.BENCH_WARMUP === "0" ? 0 : num("warmup", values.warmup ?? env.BENCH_WARMUP, 1),
      connections: Math.round(num("connections", values.connections ?? env.BENCH_CONNECTIONS, 32)),
      samples: Math.round(num("samples", values.samples ?? env.BENCH_SAMPLES, 200)),
    },
  };
}

function version(name: string): string {
  const req = createRequire(join(ROOT, "package.json"));
  return (req(`${name}/package.json`) as { version: string }).version;
}

/** Set by Ctrl-C / SIGTERM: the run ends with 130 whatever the main flow does meanwhile. */
let interrupted = false;

/**
 * Where the run's storage lives: BENCH_STATE_DIR, else /dev/shm (memory) when the machine has it, else
 * the temp directory. On Miniflare, D1, KV and Durable Object storage are SQLite files written by the
 * same workerd process that runs the Worker, so a disk's fsync on every write stalls the Worker
 * itself; in production that storage lives elsewhere. Memory-backed files keep a write-heavy
 * scenario (the mixed load) from measuring this machine's disk instead of Auth2.
 */
function stateRoot(): string {
  const chosen = process.env.BENCH_STATE_DIR;
  if (chosen) return chosen;
  try {
    accessSync("/dev/shm", constants.W_OK);
    return "/dev/shm";
  } catch {
    return tmpdir();
  }
}

async function main(): Promise<number> {
  const { options, scenarios: requested, list } = parseArgs(process.argv.slice(2));
  const all = await loadScenarios(join(ROOT, "bench/scenarios"));
  if (list) {
    for (const s of all) console.log(`${s.name.padEnd(24)} ${s.optional ? "(optional) " : ""}${s.description}`);
    return 0;
  }
  const plan = planScenarios(all, requested);
  const startedAt = new Date();
  const work = mkdtempSync(join(stateRoot(), "auth2-bench-"));
  // Whatever ends the process (Miniflare's own SIGINT/SIGTERM hook exits synchronously after stopping
  // workerd), the temporary storage goes with it.
  process.on("exit", () => rmSync(work, { recursive: true, force: true }));
  let mf: Miniflare | undefined;
  const stopBuild = new AbortController();
  let building: Promise<string> | undefined;
  let starting: Promise<StartedWorker> | undefined;
  let cleaning: Promise<void> | undefined;
  // Idempotent: the signal handler and the normal exit path may both ask for it.
  const cleanup = () =>
    (cleaning ??= (async () => {
      try {
        stopBuild.abort();
        await building?.catch(() => undefined);
        // A workerd being started when the signal came is disposed too, once it is up.
        const started = await starting?.catch(() => undefined);
        await (mf ?? started?.mf)?.dispose();
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    })());
  const onSignal = () => {
    interrupted = true;
    console.error("\nInterrupted: stopping workerd and removing the temporary storage.");
    void cleanup().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  try {
    console.log("Building the Worker (wrangler deploy --dry-run)…");
    building = buildWorker(join(work, "build"), stopBuild.signal);
    const entry = await building;
    if (cleaning) return 130;
    console.log("Starting it on Miniflare…");
    starting = startWorker(entry, join(work, "state"));
    const worker = await starting;
    mf = worker.mf;
    console.log(`  ${worker.baseUrl}  (${worker.runtime.note})`);
    const machine = machineInfo({ workerdPath: worker.runtime.workerdPath, miniflare: version("miniflare"), wrangler: version("wrangler"), autocannon: version("autocannon") });

    const results = new Map<string, RouteResult>();
    const ctx = await createContext({ mf: worker.mf, baseUrl: worker.baseUrl, options, vars: worker.vars, results, workerOptions: worker.options, mail: worker.mail });
    const migrations = await applyMigrations(ctx.db);
    console.log(`  applied ${migrations.join(", ")}`);
    // The D1 floor reads this row (a primary-key point read that finds something).
    await ctx.seedSite("demo", { name: "Demo App", allowed_origins: ["http://localhost:5173"] });

    const runner = new Runner(ctx, results);
    console.log(`\nFloors, ${options.connections} connections × ${options.durationSeconds} s after ${options.warmupSeconds} s warm-up:`);
    await runner.measureFloors("start");
    for (const scenario of plan) await runner.runScenario(scenario);
    console.log("\nFloors again (drift over the run):");
    await runner.measureFloors("end");
    const routes = runner.finish();
    machine.loadAverageEnd = loadAverageNow();
    machine.nodeScryptMs.push(nodeScryptMs());
    machine.cpuPressure.push(cpuPressure());

    const summaries = plan.flatMap((s) => {
      try {
        return s.summary?.(runner.results, machine) ?? [];
      } catch (err) {
        return [`${s.name}: summary failed: ${err instanceof Error ? err.message : String(err)}`];
      }
    });
    const finishedAt = new Date();
    const report: Report = {
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationSeconds: Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000),
      machine,
      runtime: { compatibilityDate: worker.compatibilityDate, compatibilityFlags: worker.compatibilityFlags, workerdPath: worker.runtime.workerdPath, note: worker.runtime.note },
      options,
      scenarios: plan.map((s) => s.name),
      floors: [...runner.floors.values()],
      routes,
      summaries,
      errors: runner.errors,
      pass: runner.errors.length === 0 && routes.every((r) => r.pass),
    };
    const { text, markdown } = renderReport(report);
    console.log(text);
    const file = writeReport(join(ROOT, "bench/results"), report, markdown);
    console.log(`\nResults: ${file} (and bench/results/latest.json, latest.md); run took ${report.durationSeconds} s.`);
    return report.pass ? 0 : 1;
  } finally {
    await cleanup();
  }
}

main().then(
  (code) => process.exit(interrupted ? 130 : code),
  (err: unknown) => {
    if (interrupted) process.exit(130);
    console.error(err instanceof Error ? err.message : err);
    process.exit(2);
  },
);
