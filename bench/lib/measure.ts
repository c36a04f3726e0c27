import autocannon from "autocannon";
import { workerdCpuMs } from "./machine";
import { type Flow, type FlowSend, isFlow, type LatencyStats, type LoadStats, type RequestInput, type RequestSpec, type ResponseHook, type SequentialStats } from "./types";

// The two ways a route is measured. Latencies are recorded exactly per response (autocannon's own
// histogram has 1 ms resolution, too coarse next to a sub-millisecond floor).

interface PreparedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

function prepare(spec: RequestSpec): PreparedRequest {
  const headers: Record<string, string> = { ...spec.headers };
  let body: string | undefined;
  if (typeof spec.body === "string") body = spec.body;
  else if (spec.body !== undefined) {
    body = JSON.stringify(spec.body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) headers["content-type"] = "application/json";
  }
  return { method: spec.method ?? (body === undefined ? "GET" : "POST"), path: spec.path, headers, ...(body !== undefined && { body }) };
}

function withoutIndex({ index: _, ...req }: PreparedRequest & { index: number }): PreparedRequest {
  return req;
}

/** A counter shared by every connection of one measurement, so factories see 0, 1, 2, … once each. */
export function requestSource(input: RequestInput, start = 0): { next: () => PreparedRequest & { index: number }; used: () => number } {
  let i = start;
  return {
    next: () => {
      const index = i++;
      const spec = typeof input === "function" ? input(index) : input;
      return { ...prepare(spec), index };
    },
    used: () => i,
  };
}

export function latencyStats(values: number[]): LatencyStats {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { count: 0, mean: NaN, stdev: NaN, min: NaN, p50: NaN, p90: NaN, p99: NaN, max: NaN };
  const mean = sorted.reduce((s, v) => s + v, 0) / n;
  const variance = sorted.reduce((s, v) => s + (v - mean) ** 2, 0) / Math.max(1, n - 1);
  // Nearest-rank percentiles, with the median as the mean of the two middle values for even n.
  const rank = (p: number) => sorted[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))]!;
  const p50 = n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  return { count: n, mean, stdev: Math.sqrt(variance), min: sorted[0]!, p50, p90: rank(90), p99: rank(99), max: sorted[n - 1]! };
}

export interface LoadRun {
  baseUrl: string;
  request: RequestInput | Flow;
  connections: number;
  durationSeconds: number;
  /** Where the request counter starts (so a warm-up and the measurement never reuse a factory index). */
  counterStart?: number;
  /** false when other loads run at the same time (workerd's CPU time cannot be split between them). */
  attributeCpu?: boolean;
  /** Called with every response (request index, status, body). */
  onResponse?: ResponseHook;
  /** At most this many requests (flows) per second over all connections. */
  rate?: number;
}

export interface LoadOutcome {
  stats: LoadStats;
  /** Next unused request index. */
  counter: number;
  /** Every response's latency (ms), in arrival order. */
  latencies: number[];
}

/** autocannon at `connections` for `durationSeconds`; every response's latency and status recorded. */
export async function runLoad(run: LoadRun): Promise<LoadOutcome> {
  if (isFlow(run.request)) return runFlowLoad({ ...run, request: run.request });
  const input: RequestInput = run.request;
  // autocannon paces whole requests per second and never with fewer connections than the rate.
  if (run.rate !== undefined && run.rate < 1) throw new Error(`rate ${run.rate}/s: below 1/s only for flows`);
  const hook = run.onResponse;
  const dynamic = typeof input === "function" || hook !== undefined;
  const source = requestSource(input, run.counterStart ?? 0);
  const latencies: number[] = [];
  const statusCounts: Record<string, number> = {};
  const instance = autocannon({
    url: run.baseUrl,
    connections: run.connections,
    duration: run.durationSeconds,
    // Count every response (not only 2xx): the route's expected status is checked separately.
    includeErrorStats: true,
    timeout: 30,
    ...(run.rate !== undefined && { overallRate: run.rate }),
    // A factory is asked for each request as a connection sends it (autocannon's setupRequest); the
    // connection's context carries the request's index to its response (one request in flight per connection).
    requests: [
      dynamic
        ? {
            setupRequest: (req: Record<string, unknown>, context: Record<string, unknown>) => {
              const { index, ...next } = source.next();
              context.index = index;
              return { ...req, ...next };
            },
            ...(hook && { onResponse: (status: number, body: string, context: Record<string, unknown>) => hook(context.index as number, status, body) }),
          }
        : withoutIndex(source.next()),
    ],
  });
  const cpu0 = run.attributeCpu === false ? null : workerdCpuMs();
  instance.on("response", (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    latencies.push(responseTime);
    statusCounts[statusCode] = (statusCounts[statusCode] ?? 0) + 1;
  });
  const result = await instance;
  const cpu1 = cpu0 === null ? null : workerdCpuMs();
  const seconds = result.duration > 0 ? result.duration : run.durationSeconds;
  return {
    counter: source.used(),
    latencies,
    stats: {
      connections: run.connections,
      durationSeconds: seconds,
      requests: latencies.length,
      rps: latencies.length / seconds,
      rpsStdev: result.requests.stddev,
      rpsMin: result.requests.min,
      rpsMax: result.requests.max,
      latency: latencyStats(latencies),
      cpuMsPerRequest: cpu0 !== null && cpu1 !== null && latencies.length > 0 ? (cpu1 - cpu0) / latencies.length : null,
      errors: result.errors,
      timeouts: result.timeouts,
      statusCounts,
    },
  };
}

/** LoadStats from every latency and a series of rates (per second, or per slice): the spread is the series'. */
function loadStatsFrom(input: {
  connections: number;
  seconds: number;
  latencies: number[];
  rates: number[];
  cpuMs: number | null;
  errors: number;
  timeouts: number;
  statusCounts: Record<string, number>;
}): LoadStats {
  const { latencies, rates } = input;
  const mean = rates.reduce((a, b) => a + b, 0) / rates.length;
  return {
    connections: input.connections,
    durationSeconds: input.seconds,
    requests: latencies.length,
    rps: latencies.length / input.seconds,
    rpsStdev: Math.sqrt(rates.reduce((a, r) => a + (r - mean) ** 2, 0) / rates.length),
    rpsMin: Math.min(...rates),
    rpsMax: Math.max(...rates),
    latency: latencyStats(latencies),
    cpuMsPerRequest: input.cpuMs !== null && latencies.length > 0 ? input.cpuMs / latencies.length : null,
    errors: input.errors,
    timeouts: input.timeouts,
    statusCounts: input.statusCounts,
  };
}

/** One side's slices of an alternating measurement as one result (rps spread = spread of the slices' rps). */
function mergeSlices(slices: LoadOutcome[]): LoadOutcome {
  const cpuKnown = slices.every((s) => s.stats.cpuMsPerRequest !== null);
  const latencies = slices.flatMap((s) => s.latencies);
  const statusCounts: Record<string, number> = {};
  for (const s of slices) for (const [k, v] of Object.entries(s.stats.statusCounts)) statusCounts[k] = (statusCounts[k] ?? 0) + v;
  return {
    counter: slices[slices.length - 1]!.counter,
    latencies,
    stats: loadStatsFrom({
      connections: slices[0]!.stats.connections,
      seconds: slices.reduce((t, s) => t + s.stats.durationSeconds, 0),
      latencies,
      rates: slices.map((s) => s.stats.rps),
      cpuMs: cpuKnown ? slices.reduce((t, s) => t + (s.stats.cpuMsPerRequest ?? 0) * s.stats.requests, 0) : null,
      errors: slices.reduce((t, s) => t + s.stats.errors, 0),
      timeouts: slices.reduce((t, s) => t + s.stats.timeouts, 0),
      statusCounts,
    }),
  };
}

/** Idle time between the slices of an alternating measurement: work a slice leaves behind (audit rows
 * written after the response) finishes before the other side's slice starts instead of landing on it. */
export const SLICE_GAP_MS = 150;

/** Requests per second of some slices taken together. */
function pooledRps(slices: readonly LoadOutcome[]): number {
  const seconds = slices.reduce((t, s) => t + s.stats.durationSeconds, 0);
  return seconds > 0 ? slices.reduce((t, s) => t + s.stats.requests, 0) / seconds : 0;
}

/** Two loads measured in alternating slices: each side's slices merged, and b's req/s ÷ a's per block. */
export interface AlternatingOutcome {
  a: LoadOutcome;
  b: LoadOutcome;
  /** One entry per block of `rounds` slice pairs: b's req/s ÷ a's req/s within that block. */
  blockRatios: number[];
}

/**
 * Two loads measured in alternating slices, `rounds` pairs of `sliceSeconds` each, in ABBA order
 * (a b, b a, a b, …): both see the same minutes of the machine, so drift and hiccups of a shared
 * host fall on both, and neither always follows the other. Those `rounds` pairs are one block;
 * after each block `more(blockRatios so far)` decides whether another block follows (default: one
 * block). Each side's slices, over all blocks, are merged.
 */
export async function runAlternating(
  a: LoadRun,
  b: LoadRun,
  rounds: number,
  sliceSeconds: number,
  more: (blockRatios: readonly number[]) => boolean = () => false,
): Promise<AlternatingOutcome> {
  const slices: [LoadOutcome[], LoadOutcome[]] = [[], []];
  const runs: [LoadRun, LoadRun] = [a, b];
  const counters = [a.counterStart ?? 0, b.counterStart ?? 0];
  const blockRatios: number[] = [];
  do {
    const block: [LoadOutcome[], LoadOutcome[]] = [[], []];
    for (let round = 0; round < rounds; round++) {
      for (const side of round % 2 === 0 ? [0, 1] : [1, 0]) {
        await new Promise((resolve) => setTimeout(resolve, SLICE_GAP_MS));
        const out = await runLoad({ ...runs[side]!, durationSeconds: sliceSeconds, counterStart: counters[side]! });
        counters[side] = out.counter;
        block[side]!.push(out);
      }
    }
    slices[0].push(...block[0]);
    slices[1].push(...block[1]);
    blockRatios.push(pooledRps(block[1]) / pooledRps(block[0]));
  } while (more(blockRatios));
  return { a: mergeSlices(slices[0]), b: mergeSlices(slices[1]), blockRatios };
}

/** Several loads at once (a mixed load): each keeps its own figures. */
export function runConcurrentLoads(runs: LoadRun[]): Promise<LoadOutcome[]> {
  return Promise.all(runs.map((r) => runLoad({ ...r, attributeCpu: runs.length === 1 })));
}

export interface SequentialRun {
  baseUrl: string;
  request: RequestInput | Flow;
  samples: number;
  warmupSamples: number;
  counterStart?: number;
  onResponse?: ResponseHook;
}

/** One request at a time over a kept-alive connection: each sample is one request's full latency. */
export async function sendOne(baseUrl: string, req: PreparedRequest): Promise<{ ms: number; status: number; body: string }> {
  const init: RequestInit = { method: req.method, headers: req.headers, ...(req.body !== undefined && { body: req.body }) };
  const t0 = performance.now();
  const res = await fetch(baseUrl + req.path, init);
  const body = await res.text();
  return { ms: performance.now() - t0, status: res.status, body };
}

/** One sample of a sequential route: a request (or a whole flow), its time and the statuses it saw. */
type Sampler = () => Promise<{ ms: number; statuses: number[] }>;

function sampler(baseUrl: string, input: RequestInput | Flow, start: number, hook: ResponseHook | undefined): { next: Sampler; used: () => number } {
  if (isFlow(input)) {
    let i = start;
    return {
      next: async () => {
        const statuses: number[] = [];
        const t0 = performance.now();
        await input.flow(i++, flowSend(baseUrl, statuses));
        return { ms: performance.now() - t0, statuses };
      },
      used: () => i,
    };
  }
  const source = requestSource(input, start);
  return {
    next: async () => {
      const { index, ...req } = source.next();
      const { ms, status, body } = await sendOne(baseUrl, req);
      hook?.(index, status, body);
      return { ms, statuses: [status] };
    },
    used: source.used,
  };
}

/** The `send` a flow gets: one request, its status counted into `statuses`. */
function flowSend(baseUrl: string, statuses: number[]): FlowSend {
  return async (spec) => {
    const { ms, status, body } = await sendOne(baseUrl, prepare(spec));
    statuses.push(status);
    return { ms, status, body };
  };
}

/**
 * A flow under load: `connections` loops, each running one flow after another (closed loop) until the
 * duration is over; a flow under way then completes (nothing is cut off mid-flow). One latency per flow,
 * the statuses of all its requests; a thrown error counts as a socket error.
 */
async function runFlowLoad(run: LoadRun & { request: Flow }): Promise<LoadOutcome> {
  let i = run.counterStart ?? 0;
  const latencies: number[] = [];
  const perSecond: number[] = [];
  const statusCounts: Record<string, number> = {};
  let errors = 0;
  const cpu0 = run.attributeCpu === false ? null : workerdCpuMs();
  const t0 = performance.now();
  const deadline = t0 + run.durationSeconds * 1000;
  let started = 0;
  const loop = async () => {
    while (performance.now() < deadline) {
      if (run.rate !== undefined) {
        // Flow k starts no earlier than k / rate seconds in (the wait is not part of its latency).
        const slot = t0 + (started++ * 1000) / run.rate;
        if (slot >= deadline) break;
        if (slot > performance.now()) await new Promise((r) => setTimeout(r, slot - performance.now()));
      }
      const statuses: number[] = [];
      const start = performance.now();
      try {
        await run.request.flow(i++, flowSend(run.baseUrl, statuses));
        const end = performance.now();
        latencies.push(end - start);
        const second = Math.floor((end - t0) / 1000);
        perSecond[second] = (perSecond[second] ?? 0) + 1;
      } catch {
        errors++;
      }
      for (const s of statuses) statusCounts[s] = (statusCounts[s] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: run.connections }, loop));
  const seconds = (performance.now() - t0) / 1000;
  const cpu1 = cpu0 === null ? null : workerdCpuMs();
  const counts = Array.from({ length: Math.max(1, Math.floor(seconds)) }, (_, k) => perSecond[k] ?? 0);
  return {
    counter: i,
    latencies,
    stats: loadStatsFrom({
      connections: run.connections,
      seconds,
      latencies,
      rates: counts,
      cpuMs: cpu0 !== null && cpu1 !== null ? cpu1 - cpu0 : null,
      errors,
      timeouts: 0,
      statusCounts,
    }),
  };
}

export async function runSequential(run: SequentialRun): Promise<{ stats: SequentialStats; samples: number[]; counter: number }> {
  const source = sampler(run.baseUrl, run.request, run.counterStart ?? 0, run.onResponse);
  for (let i = 0; i < run.warmupSamples; i++) await source.next();
  const samples: number[] = [];
  const statusCounts: Record<string, number> = {};
  const cpu0 = workerdCpuMs();
  for (let i = 0; i < run.samples; i++) {
    const { ms, statuses } = await source.next();
    samples.push(ms);
    for (const status of statuses) statusCounts[status] = (statusCounts[status] ?? 0) + 1;
  }
  const cpu1 = cpu0 === null ? null : workerdCpuMs();
  const cpuMsPerRequest = cpu0 !== null && cpu1 !== null && samples.length > 0 ? (cpu1 - cpu0) / samples.length : null;
  return { stats: { samples: samples.length, latency: latencyStats(samples), cpuMsPerRequest, statusCounts }, samples, counter: (run.counterStart ?? 0) + run.warmupSamples + run.samples };
}

/** Round-robin over several sequential runs (sample 1 of each, then sample 2 of each, …). */
export async function runInterleaved(runs: SequentialRun[]): Promise<{ stats: SequentialStats; counter: number }[]> {
  const sources = runs.map((r) => sampler(r.baseUrl, r.request, r.counterStart ?? 0, r.onResponse));
  const warm = Math.max(0, ...runs.map((r) => r.warmupSamples));
  const most = Math.max(0, ...runs.map((r) => r.samples));
  for (let i = 0; i < warm; i++) {
    for (const [k, r] of runs.entries()) if (i < r.warmupSamples) await sources[k]!.next();
  }
  const samples = runs.map(() => [] as number[]);
  const statuses = runs.map(() => ({}) as Record<string, number>);
  // Each round visits the routes in a new random order (seeded, so a run can be repeated): with a
  // fixed order, work a route leaves behind (a queued mail delivered a moment later in the same
  // workerd thread) would always land on the same next route and bias one case's median.
  let seed = 0x2f6b_1d3c;
  const random = () => {
    seed = (Math.imul(seed, 1_664_525) + 1_013_904_223) >>> 0;
    return seed / 2 ** 32;
  };
  const order = runs.map((_, k) => k);
  for (let i = 0; i < most; i++) {
    for (let j = order.length - 1; j > 0; j--) {
      const m = Math.floor(random() * (j + 1));
      [order[j], order[m]] = [order[m]!, order[j]!];
    }
    for (const k of order) {
      const r = runs[k]!;
      if (i >= r.samples) continue;
      const { ms, statuses: seen } = await sources[k]!.next();
      samples[k]!.push(ms);
      for (const status of seen) statuses[k]![status] = (statuses[k]![status] ?? 0) + 1;
    }
  }
  return runs.map((r, k) => ({
    stats: { samples: samples[k]!.length, latency: latencyStats(samples[k]!), cpuMsPerRequest: null, statusCounts: statuses[k]! },
    counter: (r.counterStart ?? 0) + r.warmupSamples + r.samples,
  }));
}
