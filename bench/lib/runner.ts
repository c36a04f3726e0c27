import { type LoadRun, runAlternating, runConcurrentLoads, runInterleaved, runLoad, runSequential, type SequentialRun } from "./measure";
import { badStatuses, evaluateTargets, fmt, meanLatency, meanLoad, meanOf, needsAnotherBlock, ratioInterval } from "./figures";
import {
  type BenchContext,
  FLOOR_NAMES,
  type FloorName,
  type LatencyStats,
  type LoadStats,
  type RouteResult,
  type RouteSpec,
  type Scenario,
  type SequentialStats,
} from "./types";

// Runs floors and scenarios against one running Worker, then turns raw figures into ratios and
// target verdicts. Verdicts are final at the end of the run, once the end-of-run floor pass exists
// (load routes without a paired floor compare against the mean of the start and end passes).

export const FLOOR_PATHS: Record<FloorName, string> = { bare: "/__bench/bare", do: "/__bench/do", d1: "/__bench/d1" };

export interface FloorResult {
  name: FloorName;
  path: string;
  /** One entry per pass: at the start of the run and at the end. */
  load: LoadStats[];
  /** One connection, one request at a time; one entry per pass. */
  sequential: SequentialStats[];
}

export interface ScenarioError {
  scenario: string;
  message: string;
}

/** Measured but not yet judged. */
interface RawRoute {
  scenario: Scenario;
  spec: RouteSpec;
  stats: LoadStats | SequentialStats;
  problems: string[];
  /** The built-in floor measured in slices alternating with this load route (paired mode). */
  paired?: LoadStats;
  /** Paired mode: the route's req/s ÷ the floor's in each block of alternating slices. */
  blockRatios?: number[];
}

interface FloorFigures {
  source: "paired" | "run" | "route";
  rps: number | null;
  latency: LatencyStats;
  cpu: number | null;
}

function isBuiltinFloor(floor: string): floor is FloorName {
  return (FLOOR_NAMES as readonly string[]).includes(floor);
}

export class Runner {
  readonly floors = new Map<FloorName, FloorResult>();
  readonly errors: ScenarioError[] = [];
  private raw: RawRoute[] = [];

  /** `results` is the map scenarios see as ctx.results. */
  constructor(
    private ctx: BenchContext,
    readonly results: Map<string, RouteResult>,
  ) {}

  private get opts() {
    return this.ctx.options;
  }

  /** Unmeasured load; returns the route's next request index (warm-up and measurement share one counter). */
  private async warmLoad(run: LoadRun): Promise<number> {
    if (this.opts.warmupSeconds <= 0) return run.counterStart ?? 0;
    const warm = await runLoad({ ...run, durationSeconds: this.opts.warmupSeconds });
    return warm.counter;
  }

  /** One pass over the floors (start and end of the run): under load, then one request at a time. */
  async measureFloors(pass: "start" | "end"): Promise<void> {
    for (const name of FLOOR_NAMES) {
      const run: LoadRun = { baseUrl: this.ctx.baseUrl, request: { path: FLOOR_PATHS[name] }, connections: this.opts.connections, durationSeconds: this.opts.durationSeconds };
      await this.warmLoad(run);
      const { stats } = await runLoad(run);
      const floor = this.floors.get(name) ?? { name, path: FLOOR_PATHS[name], load: [], sequential: [] };
      floor.load.push(stats);
      const seq = await runSequential({ baseUrl: this.ctx.baseUrl, request: { path: FLOOR_PATHS[name] }, samples: this.opts.samples, warmupSamples: 20 });
      floor.sequential.push(seq.stats);
      this.floors.set(name, floor);
      const bad = badStatuses(stats.statusCounts, undefined) + stats.errors + stats.timeouts;
      if (bad > 0) this.errors.push({ scenario: "floors", message: `${name}: ${bad} failed requests at the ${pass}` });
      console.log(`  floor ${name.padEnd(4)} ${pass.padEnd(5)} ${fmt(stats.rps, 0).padStart(6)} req/s  p50 ${fmt(stats.latency.p50, 2)} ms  p99 ${fmt(stats.latency.p99, 2)} ms`);
    }
  }

  async runScenario(scenario: Scenario): Promise<void> {
    console.log(`\n▶ ${scenario.name}: ${scenario.description}`);
    try {
      if (scenario.setup) await scenario.setup(this.ctx);
      const schedule = scenario.schedule ?? "serial";
      if (schedule === "concurrent") await this.runConcurrent(scenario);
      else if (schedule === "interleaved") await this.runInterleavedScenario(scenario);
      else for (const spec of scenario.routes) await this.runRoute(scenario, spec);
    } catch (err) {
      const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
      this.errors.push({ scenario: scenario.name, message });
      console.error(`  ✗ ${scenario.name} aborted: ${message}`);
    }
  }

  private loadRun(spec: RouteSpec): LoadRun {
    return {
      baseUrl: this.ctx.baseUrl,
      request: spec.request,
      connections: spec.connections ?? this.opts.connections,
      durationSeconds: spec.durationSeconds ?? this.opts.durationSeconds,
      ...(spec.onResponse && { onResponse: spec.onResponse }),
      ...(spec.rate !== undefined && { rate: spec.rate }),
    };
  }

  private seqRun(spec: RouteSpec): SequentialRun {
    return {
      baseUrl: this.ctx.baseUrl,
      request: spec.request,
      samples: spec.samples ?? this.opts.samples,
      warmupSamples: spec.warmupSamples ?? 5,
      ...(spec.onResponse && { onResponse: spec.onResponse }),
    };
  }

  private async runRoute(scenario: Scenario, spec: RouteSpec): Promise<void> {
    if (spec.prepare) await spec.prepare(this.ctx);
    // Load routes get their floor measured alongside them (alternating slices). Sequential routes use the run's
    // one-connection floor passes: interleaving a floor with a heavy route would measure the floor in
    // the heavy route's wake (GC, freed memory), not the floor.
    const pair = this.opts.paired && isBuiltinFloor(spec.floor) ? FLOOR_PATHS[spec.floor] : null;
    let stats: LoadStats | SequentialStats;
    let paired: { stats: LoadStats; blockRatios: number[] } | undefined;
    if ((spec.mode ?? "load") === "load") {
      const run = this.loadRun(spec);
      if (pair) {
        // The floor and the route in alternating slices (same connections, same total time each):
        // on a shared host the floor alone swings ±20% from one 5 s block to the next, so a floor
        // measured in one block before the route judged the route by the luck of that block.
        const { onResponse: _hook, rate: _rate, ...shape } = run;
        const floorRun: LoadRun = { ...shape, request: { path: pair } };
        await this.warmLoad(floorRun);
        const next = await this.warmLoad(run);
        const rounds = Math.max(2, 2 * Math.round(this.opts.durationSeconds / 2));
        // A req/s ratio target gets blocks until its verdict is clear (figures.ts needsAnotherBlock); anything else one block.
        const limit = spec.targets?.minRatioRps;
        const more = limit === undefined ? undefined : (ratios: readonly number[]) => needsAnotherBlock(ratios, limit);
        const out = await runAlternating(floorRun, { ...run, counterStart: next }, rounds, this.opts.durationSeconds / rounds, more);
        paired = { stats: out.a.stats, blockRatios: out.blockRatios };
        stats = out.b.stats;
      } else {
        const next = await this.warmLoad(run);
        stats = (await runLoad({ ...run, counterStart: next })).stats;
      }
    } else {
      stats = (await runSequential(this.seqRun(spec))).stats;
    }
    await this.record(scenario, spec, stats, paired?.stats, paired?.blockRatios);
  }

  private async runConcurrent(scenario: Scenario): Promise<void> {
    for (const spec of scenario.routes) {
      if ((spec.mode ?? "load") !== "load") throw new Error(`${scenario.name}/${spec.label}: a concurrent scenario takes load routes only`);
      if (spec.prepare) await spec.prepare(this.ctx);
    }
    const runs = scenario.routes.map((spec) => this.loadRun(spec));
    const next = this.opts.warmupSeconds > 0
      ? (await runConcurrentLoads(runs.map((r) => ({ ...r, durationSeconds: this.opts.warmupSeconds })))).map((o) => o.counter)
      : runs.map(() => 0);
    const outs = await runConcurrentLoads(runs.map((r, k) => ({ ...r, counterStart: next[k]! })));
    for (const [k, spec] of scenario.routes.entries()) await this.record(scenario, spec, outs[k]!.stats);
  }

  private async runInterleavedScenario(scenario: Scenario): Promise<void> {
    for (const spec of scenario.routes) {
      if (spec.mode !== "sequential") throw new Error(`${scenario.name}/${spec.label}: an interleaved scenario takes sequential routes only`);
      if (spec.prepare) await spec.prepare(this.ctx);
    }
    const outs = await runInterleaved(scenario.routes.map((spec) => this.seqRun(spec)));
    for (const [k, spec] of scenario.routes.entries()) await this.record(scenario, spec, outs[k]!.stats);
  }

  private async record(scenario: Scenario, spec: RouteSpec, stats: LoadStats | SequentialStats, paired?: LoadStats, blockRatios?: number[]): Promise<void> {
    const id = `${scenario.name}/${spec.label}`;
    const problems: string[] = [];
    const unexpected = badStatuses(stats.statusCounts, spec.expectStatus);
    if (unexpected > 0) problems.push(`${unexpected} responses with an unexpected status (${JSON.stringify(stats.statusCounts)})`);
    if ("errors" in stats && stats.errors + stats.timeouts > 0) problems.push(`${stats.errors} socket errors, ${stats.timeouts} timeouts`);
    if (stats.latency.count === 0) problems.push("no responses");
    const pairing = { ...(paired && { paired }), ...(blockRatios && { blockRatios }) };
    const provisional = this.judge({ scenario, spec, stats, problems, ...pairing });
    this.results.set(id, provisional);
    if (spec.check) {
      const found = await spec.check(this.ctx, provisional);
      if (found) problems.push(...found);
    }
    this.raw.push({ scenario, spec, stats, problems, ...pairing });
    const rps = "rps" in stats ? `${fmt(stats.rps, 0).padStart(6)} req/s  ` : "";
    const floor = provisional.floorFigures;
    const blocks = provisional.blocks ? `, ${provisional.blocks.count} blocks: ${fmt(provisional.blocks.mean, 3)}× ±${fmt(provisional.blocks.halfWidth, 3)}` : "";
    const beside = floor ? `   [${spec.floor}${floor.source === "paired" ? " paired" : ""}: ${floor.rps !== null ? `${fmt(floor.rps, 0)} req/s ` : ""}p50 ${fmt(floor.p50, 2)} ms${blocks}]` : "";
    const cpu = stats.cpuMsPerRequest !== null ? `  cpu ${fmt(stats.cpuMsPerRequest, 2)} ms/req` : "";
    console.log(`  ${id}  ${rps}p50 ${fmt(stats.latency.p50, 2)} ms  p99 ${fmt(stats.latency.p99, 2)} ms${cpu}${beside}${problems.length ? `  ✗ ${problems.join("; ")}` : ""}`);
  }

  /** Final verdicts, once the end-of-run floors exist. */
  finish(): RouteResult[] {
    const out = this.raw.map((r) => this.judge(r));
    for (const r of out) this.results.set(r.id, r);
    return out;
  }

  /** The floor's figures in the route's mode: paired if measured, else the run's passes (mean of start and end). */
  private floorStats({ scenario, spec, paired }: RawRoute): FloorFigures | null {
    const mode = spec.mode ?? "load";
    if (paired) return { source: "paired", rps: paired.rps, latency: paired.latency, cpu: paired.cpuMsPerRequest };
    if (isBuiltinFloor(spec.floor)) {
      const floor = this.floors.get(spec.floor);
      if (!floor) return null;
      if (mode === "sequential") {
        const seq = meanLatency(floor.sequential.map((p) => p.latency));
        return seq ? { source: "run", rps: null, latency: seq, cpu: meanOf(floor.sequential.map((p) => p.cpuMsPerRequest)) } : null;
      }
      const mean = meanLoad(floor.load);
      return mean ? { source: "run", ...mean, cpu: meanOf(floor.load.map((p) => p.cpuMsPerRequest)) } : null;
    }
    const id = spec.floor.includes("/") ? spec.floor : `${scenario.name}/${spec.floor}`;
    const other = this.results.get(id);
    if (!other) return null;
    return { source: "route", rps: "rps" in other.stats ? other.stats.rps : null, latency: other.stats.latency, cpu: other.stats.cpuMsPerRequest };
  }

  private judge(raw: RawRoute): RouteResult {
    const { scenario, spec, stats, problems, blockRatios } = raw;
    const floor = this.floorStats(raw);
    const rps = "rps" in stats ? stats.rps : null;
    const ratios = {
      rps: rps !== null && floor?.rps ? rps / floor.rps : null,
      p50: floor ? stats.latency.p50 / floor.latency.p50 : null,
      p99: floor ? stats.latency.p99 / floor.latency.p99 : null,
      cpu: stats.cpuMsPerRequest !== null && floor?.cpu ? stats.cpuMsPerRequest / floor.cpu : null,
    };
    const targets = evaluateTargets(spec.targets ?? {}, { rps, latency: stats.latency, cpu: stats.cpuMsPerRequest }, floor, ratios);
    const allProblems = floor ? [...problems] : [...problems, `floor "${spec.floor}" was not measured before this route`];
    return {
      id: `${scenario.name}/${spec.label}`,
      scenario: scenario.name,
      label: spec.label,
      mode: spec.mode ?? "load",
      floor: spec.floor,
      stats,
      floorFigures: floor ? { source: floor.source, rps: floor.rps, p50: floor.latency.p50, p99: floor.latency.p99, cpuMsPerRequest: floor.cpu } : null,
      ratios,
      blocks: blockRatios && blockRatios.length > 1 ? { count: blockRatios.length, ratios: blockRatios, ...ratioInterval(blockRatios) } : null,
      targets,
      problems: allProblems,
      pass: allProblems.length === 0 && targets.every((t) => t.pass),
    };
  }
}
