import { spawnSync } from "node:child_process";
import { scryptSync } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, totalmem, freemem } from "node:os";

// What the figures were measured on: they only mean something next to the machine and its load.

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  freeMemoryGiB: number;
  /** 1/5/15-minute load averages when the run started (a shared machine's other jobs show here). */
  loadAverageStart: number[];
  loadAverageEnd?: number[];
  /**
   * CPU reference: ms per production-parameter scrypt in Node (native, same algorithm) in this process,
   * before and after the run. Far above ~150 ms means the CPU was contended and absolute figures are inflated.
   */
  nodeScryptMs: number[];
  /** Linux PSI: % of the last 60 s some task waited for a CPU (start, end); near 100 = fully contended. */
  cpuPressure: number[];
  os: string;
  node: string;
  workerd: string;
  miniflare: string;
  wrangler: string;
  autocannon: string;
  gitCommit: string;
}

function firstLine(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  return r.status === 0 ? (r.stdout || r.stderr).trim().split("\n")[0]!.trim() : "unknown";
}

function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"));
    if (m) return m[1]!.trim();
  } catch {
    // not Linux: fall through
  }
  return cpus()[0]?.model ?? "unknown";
}

export function machineInfo(versions: { workerdPath: string; miniflare: string; wrangler: string; autocannon: string }): MachineInfo {
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    cpus: Number(firstLine("nproc", [])) || availableParallelism(),
    cpuModel: cpuModel(),
    memoryGiB: round(totalmem() / 2 ** 30),
    freeMemoryGiB: round(freemem() / 2 ** 30),
    loadAverageStart: loadavg().map(round),
    nodeScryptMs: [nodeScryptMs()],
    cpuPressure: [cpuPressure()],
    os: firstLine("uname", ["-sr"]),
    node: process.version,
    workerd: firstLine(versions.workerdPath, ["--version"]),
    miniflare: versions.miniflare,
    wrangler: versions.wrangler,
    autocannon: versions.autocannon,
    gitCommit: firstLine("git", ["rev-parse", "--short", "HEAD"]),
  };
}

export function loadAverageNow(): number[] {
  return loadavg().map((n) => Math.round(n * 100) / 100);
}

/** Median of 3 native scrypt runs (ln=14 r=8 p=5) in Node: how fast this CPU is right now. */
export function nodeScryptMs(): number {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    scryptSync("bench-reference", "bench-reference-salt", 32, { N: 2 ** 14, r: 8, p: 5, maxmem: 64 * 1024 * 1024 });
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[1]! * 10) / 10;
}

/** A warning line when other work competed for the CPUs during the run. */
export function contentionWarning(m: MachineInfo): string | null {
  const load = Math.max(m.loadAverageStart[0] ?? 0, m.loadAverageEnd?.[0] ?? 0);
  const pressure = Math.max(...m.cpuPressure);
  if (load <= m.cpus && pressure < 50) return null;
  return `WARNING: the machine was busy (1-min load average up to ${load} on ${m.cpus} CPUs, CPU pressure ${m.cpuPressure.join(" → ")}%, Node scrypt reference ${m.nodeScryptMs.join(" → ")} ms): absolute figures are inflated and noisy; ratios to floors measured next to each route are the comparable figures.`;
}

/** `some avg60` of /proc/pressure/cpu, or -1 where PSI is unavailable. */
export function cpuPressure(): number {
  try {
    const m = /^some avg10=[\d.]+ avg60=([\d.]+)/m.exec(readFileSync("/proc/pressure/cpu", "utf8"));
    return m ? Number(m[1]) : -1;
  } catch {
    return -1;
  }
}

const CLOCK_TICKS_PER_SECOND = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;

/** The workerd processes this harness started (children of this process), found through /proc. */
function workerdPids(): number[] {
  const pids: number[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync("/proc").filter((e) => /^\d+$/.test(e));
  } catch {
    return pids;
  }
  for (const e of entries) {
    try {
      const stat = readFileSync(`/proc/${e}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      const comm = stat.slice(stat.indexOf("(") + 1, close);
      const ppid = Number(stat.slice(close + 2).split(" ")[1]);
      if (comm === "workerd" && ppid === process.pid) pids.push(Number(e));
    } catch {
      // the process went away
    }
  }
  return pids;
}

let cachedPids: number[] | null = null;

/** After a workerd restart (ctx.restartWorker): find the new process on the next reading. */
export function forgetWorkerdPids(): void {
  cachedPids = null;
}

/**
 * CPU time (user + system, ms) workerd has used so far, or null off Linux. CPU time per request does not
 * grow when other jobs compete for the CPUs, unlike latency and req/s, so it is the steadiest figure on a
 * shared machine (resolution: one clock tick, 10 ms, over the whole measurement).
 */
export function workerdCpuMs(): number | null {
  if (cachedPids === null || cachedPids.length === 0) cachedPids = workerdPids();
  if (cachedPids.length === 0) return null;
  let ticks = 0;
  for (const pid of cachedPids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      cachedPids = null;
      return null;
    }
  }
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}
