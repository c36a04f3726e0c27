import type { LatencyStats, LoadStats, RouteResult, TargetResult, Targets } from "./types";

// Pure arithmetic on measured figures: averaging passes, status accounting, target verdicts.

export function meanOf(values: (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length ? known.reduce((a, b) => a + b, 0) / known.length : null;
}

/** The mean of several passes' figures (count summed). */
export function meanLatency(passes: LatencyStats[]): LatencyStats | null {
  if (passes.length === 0) return null;
  const avg = (f: (s: LatencyStats) => number) => passes.reduce((s, p) => s + f(p), 0) / passes.length;
  return {
    count: passes.reduce((s, p) => s + p.count, 0),
    mean: avg((p) => p.mean),
    stdev: avg((p) => p.stdev),
    min: Math.min(...passes.map((p) => p.min)),
    p50: avg((p) => p.p50),
    p90: avg((p) => p.p90),
    p99: avg((p) => p.p99),
    max: Math.max(...passes.map((p) => p.max)),
  };
}

export function meanLoad(passes: LoadStats[]): { rps: number; latency: LatencyStats } | null {
  const latency = meanLatency(passes.map((p) => p.latency));
  if (!latency) return null;
  return { rps: passes.reduce((s, p) => s + p.rps, 0) / passes.length, latency };
}

/** Responses whose status is not the expected one (default: any 2xx). */
export function badStatuses(counts: Record<string, number>, expected: number | number[] | undefined): number {
  let bad = 0;
  for (const [status, n] of Object.entries(counts)) {
    const code = Number(status);
    const ok = expected === undefined ? code >= 200 && code < 300 : Array.isArray(expected) ? expected.includes(code) : code === expected;
    if (!ok) bad += n;
  }
  return bad;
}

export function evaluateTargets(
  targets: Targets,
  route: { rps: number | null; latency: LatencyStats; cpu: number | null },
  floor: { rps: number | null; latency: LatencyStats } | null,
  ratios: RouteResult["ratios"],
): TargetResult[] {
  const out: TargetResult[] = [];
  const atLeast = (target: keyof Targets, actual: number | null) => {
    const limit = targets[target];
    if (limit !== undefined) out.push({ target, limit, actual, pass: actual !== null && Number.isFinite(actual) && actual >= limit });
  };
  const atMost = (target: keyof Targets, actual: number | null) => {
    const limit = targets[target];
    if (limit !== undefined) out.push({ target, limit, actual, pass: actual !== null && Number.isFinite(actual) && actual <= limit });
  };
  atLeast("minRatioRps", ratios.rps);
  atMost("maxRatioP99", ratios.p99);
  atMost("maxRatioP50", ratios.p50);
  atMost("maxDiffP50Ms", floor ? Math.abs(route.latency.p50 - floor.latency.p50) : null);
  atMost("maxP50Ms", route.latency.p50);
  atMost("maxP99Ms", route.latency.p99);
  atLeast("minRps", route.rps);
  atMost("maxRatioCpu", ratios.cpu);
  atMost("maxCpuMs", route.cpu);
  return out;
}

/** Two-sided 95 % Student t quantiles by degrees of freedom (1…10). */
const T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228];

/** The mean of per-block ratios and the half-width of its 95 % confidence interval (null for one block). */
export function ratioInterval(ratios: readonly number[]): { mean: number; halfWidth: number | null } {
  const n = ratios.length;
  const mean = ratios.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, halfWidth: null };
  const sd = Math.sqrt(ratios.reduce((a, r) => a + (r - mean) ** 2, 0) / (n - 1));
  return { mean, halfWidth: (T95[Math.min(n - 1, T95.length) - 1] ?? 1.96) * (sd / Math.sqrt(n)) };
}

/** Blocks of alternating slices for a route with a req/s ratio target: at least MIN, at most MAX. */
export const RATIO_BLOCKS = { min: 3, max: 8 } as const;

/**
 * Whether a route judged by a req/s ratio against `limit` needs another block of alternating slices:
 * until RATIO_BLOCKS.min blocks, then while the 95 % interval of the block ratios still contains the
 * limit, up to RATIO_BLOCKS.max. On a shared machine one block's ratio swings by several hundredths
 * either way; more blocks only where the verdict is still in doubt keep the run short elsewhere.
 */
export function needsAnotherBlock(ratios: readonly number[], limit: number): boolean {
  if (ratios.length < RATIO_BLOCKS.min) return true;
  if (ratios.length >= RATIO_BLOCKS.max) return false;
  const { mean, halfWidth } = ratioInterval(ratios);
  return halfWidth === null || Math.abs(mean - limit) < halfWidth;
}

export function fmt(n: number | null | undefined, digits: number): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "–";
  return n.toFixed(digits);
}
