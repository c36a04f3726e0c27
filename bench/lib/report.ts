import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { contentionWarning, type MachineInfo } from "./machine";
import { fmt, meanLatency, meanLoad, meanOf } from "./figures";
import type { FloorResult, ScenarioError } from "./runner";
import type { BenchOptions, RouteResult } from "./types";

// The printed tables (plain text on stdout, the same as Markdown in results/latest.md) and the JSON record.

export interface Report {
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  machine: MachineInfo;
  runtime: { compatibilityDate: string; compatibilityFlags: string[]; workerdPath: string; note: string };
  options: BenchOptions;
  scenarios: string[];
  floors: FloorResult[];
  routes: RouteResult[];
  summaries: string[];
  errors: ScenarioError[];
  pass: boolean;
}

type Row = string[];

function table(header: Row, rows: Row[]): { text: string; markdown: string } {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: Row) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  const text = [line(header), widths.map((w) => "─".repeat(w)).join("  "), ...rows.map(line)].join("\n");
  const md = [`| ${header.join(" | ")} |`, `|${header.map((_, i) => (i === 0 ? " --- " : " ---: ")).join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
  return { text, markdown: md };
}

function pct(a: number, b: number): string {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return "–";
  const d = ((a - b) / b) * 100;
  return `${d >= 0 ? "+" : ""}${d.toFixed(1)}%`;
}

function floorTable(floors: FloorResult[]) {
  const rows = floors.map((f) => {
    const [start, end] = f.load;
    const [seqStart, seqEnd] = f.sequential;
    return [
      `${f.name} (${f.path})`,
      fmt(start?.rps, 0),
      fmt(end?.rps, 0),
      start && end ? pct(end.rps, start.rps) : "–",
      start ? `±${fmt((start.rpsStdev / start.rps) * 100, 1)}%` : "–",
      fmt(start?.latency.p50, 2),
      fmt(start?.latency.p99, 2),
      fmt(end?.latency.p50, 2),
      fmt(end?.latency.p99, 2),
      `${fmt(seqStart?.latency.p50, 3)} / ${fmt(seqEnd?.latency.p50, 3)}`,
      `${fmt(seqStart?.latency.p99, 3)} / ${fmt(seqEnd?.latency.p99, 3)}`,
      `${fmt(start?.cpuMsPerRequest, 3)} / ${fmt(end?.cpuMsPerRequest, 3)}`,
    ];
  });
  return table(
    ["floor", "req/s start", "req/s end", "drift", "per-s spread", "p50 ms start", "p99 ms start", "p50 ms end", "p99 ms end", "1-conn p50 ms start/end", "1-conn p99 ms start/end", "CPU ms/req start/end"],
    rows,
  );
}

function targetText(r: RouteResult): string {
  const parts = r.targets.map((t) => `${t.pass ? "✓" : "✗"} ${t.target} ${t.target.startsWith("min") ? "≥" : "≤"} ${t.limit} (${fmt(t.actual, 2)})`);
  if (r.problems.length > 0) parts.push(`✗ ${r.problems.join("; ")}`);
  return parts.length ? parts.join(", ") : "–";
}

/** The req/s ratio, with the 95 % interval of its blocks when it was measured in several. */
function rpsRatioText(r: RouteResult): string {
  if (r.ratios.rps === null) return "–";
  const blocks = r.blocks ? ` (±${fmt(r.blocks.halfWidth, 2)}, ${r.blocks.count} blocks)` : "";
  return `${fmt(r.ratios.rps, 2)}×${blocks}`;
}

function routeTable(routes: RouteResult[]) {
  const rows = routes.map((r) => {
    const load = "rps" in r.stats ? r.stats : null;
    const f = r.floorFigures;
    return [
      r.id,
      r.mode === "load" ? `load ${load?.connections ?? ""}c` : `seq ×${r.stats.latency.count}`,
      load ? fmt(load.rps, 0) : "–",
      load ? `±${fmt((load.rpsStdev / load.rps) * 100, 1)}%` : `sd ${fmt(r.stats.latency.stdev, 2)}`,
      fmt(r.stats.latency.p50, 2),
      fmt(r.stats.latency.p99, 2),
      `${r.floor}${f?.source === "paired" ? " (paired)" : f?.source === "run" ? " (run)" : ""}`,
      fmt(f?.rps, 0),
      fmt(f?.p50, 2),
      fmt(f?.p99, 2),
      rpsRatioText(r),
      r.ratios.p50 === null ? "–" : `${fmt(r.ratios.p50, 2)}×`,
      r.ratios.p99 === null ? "–" : `${fmt(r.ratios.p99, 2)}×`,
      fmt(r.stats.cpuMsPerRequest, 2),
      r.ratios.cpu === null ? "–" : `${fmt(r.ratios.cpu, 2)}×`,
      targetText(r),
    ];
  });
  return table(
    ["route", "mode", "req/s", "spread", "p50 ms", "p99 ms", "floor", "floor req/s", "floor p50", "floor p99", "req/s ÷ floor", "p50 ÷ floor", "p99 ÷ floor", "CPU ms/req", "CPU ÷ floor", "targets"],
    rows,
  );
}

/**
 * Every route against the bare floor of the same run (mean of its start and end passes): load routes
 * against bare under load, sequential routes against bare one request at a time. This is the
 * "what does the route cost beyond the platform" view; the route table above judges each route
 * against the floor that does the storage work the route needs.
 */
function bareTable(routes: RouteResult[], floors: FloorResult[]) {
  const bare = floors.find((f) => f.name === "bare");
  const load = bare ? meanLoad(bare.load) : null;
  const seq = bare ? meanLatency(bare.sequential.map((s) => s.latency)) : null;
  const cpu = bare ? meanOf(bare.load.map((l) => l.cpuMsPerRequest ?? null)) : null;
  const ratio = (a: number | null | undefined, b: number | null | undefined) => (a != null && b != null && b > 0 ? `${fmt(a / b, 2)}×` : "–");
  const rows = routes.map((r) => {
    const stats = "rps" in r.stats ? r.stats : null;
    const base = stats ? load?.latency : seq;
    return [
      r.id,
      stats ? `load ${stats.connections}c` : `seq ×${r.stats.latency.count}`,
      stats ? fmt(stats.rps, 0) : "–",
      fmt(r.stats.latency.p50, 2),
      fmt(r.stats.latency.p99, 2),
      stats ? ratio(stats.rps, load?.rps) : "–",
      ratio(r.stats.latency.p50, base?.p50),
      ratio(r.stats.latency.p99, base?.p99),
      ratio(r.stats.cpuMsPerRequest, cpu),
    ];
  });
  const header = ["route", "mode", "req/s", "p50 ms", "p99 ms", "req/s ÷ bare", "p50 ÷ bare", "p99 ÷ bare", "CPU ÷ bare"];
  const baseline = `bare (run mean): ${fmt(load?.rps, 0)} req/s, p50 ${fmt(load?.latency.p50, 2)} ms, p99 ${fmt(load?.latency.p99, 2)} ms under load; one connection p50 ${fmt(seq?.p50, 3)} ms, p99 ${fmt(seq?.p99, 3)} ms; CPU ${fmt(cpu, 3)} ms/req`;
  return { ...table(header, rows), baseline };
}

function machineLines(report: Report): string[] {
  const m = report.machine;
  return [
    `Machine: ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB RAM, ${m.os}; load average ${m.loadAverageStart.join(" / ")} at start, ${(m.loadAverageEnd ?? []).join(" / ")} at end`,
    `Runtime: Node ${m.node}, ${m.workerd} (compatibility_date ${report.runtime.compatibilityDate}, flags ${report.runtime.compatibilityFlags.join(",") || "none"}), miniflare ${m.miniflare}, wrangler ${m.wrangler}, autocannon ${m.autocannon}, commit ${m.gitCommit}`,
    `CPU reference (Node native scrypt ln=14 r=8 p=5, harness process): ${m.nodeScryptMs.join(" ms at start, ")} ms at end; CPU pressure (PSI some avg60) ${m.cpuPressure.join("% at start, ")}% at end`,
    ...(contentionWarning(m) ? [contentionWarning(m)!] : []),
    `Load: ${report.options.connections} connections, ${report.options.durationSeconds} s per route after ${report.options.warmupSeconds} s warm-up; sequential: ${report.options.samples} samples unless a route says otherwise; floors ${report.options.paired ? "paired with each load route (alternating slices, ABBA)" : "from the run's passes only"}`,
  ];
}

export function renderReport(report: Report): { text: string; markdown: string } {
  const floors = floorTable(report.floors);
  const routes = routeTable(report.routes);
  const bare = bareTable(report.routes, report.floors);
  const errors = report.errors.map((e) => `✗ ${e.scenario}: ${e.message.split("\n")[0]}`);
  const verdict = report.pass ? "All targets met." : "FAILED: at least one target or check failed (see ✗).";
  const text = [
    "",
    ...machineLines(report),
    "",
    "Floors (same Worker, same run; measured at the start and again at the end):",
    floors.text,
    "",
    "Routes (ratios against each route's floor: (paired) = measured in slices alternating with the route's (load routes) or interleaved with it; (run) = mean of the start and end passes):",
    routes.text,
    "",
    `Routes against the bare floor (${bare.baseline}):`,
    bare.text,
    ...(report.summaries.length ? ["", ...report.summaries] : []),
    ...(errors.length ? ["", ...errors] : []),
    "",
    verdict,
  ].join("\n");
  const markdown = [
    ...machineLines(report).map((l) => `- ${l}`),
    "",
    "Floors:",
    "",
    floors.markdown,
    "",
    "Routes:",
    "",
    routes.markdown,
    "",
    `Routes against the bare floor (${bare.baseline}):`,
    "",
    bare.markdown,
    ...(report.summaries.length ? ["", ...report.summaries.map((s) => `- ${s}`)] : []),
    ...(errors.length ? ["", ...errors.map((e) => `- ${e}`)] : []),
    "",
    verdict,
  ].join("\n");
  return { text, markdown };
}

/** bench/results/<timestamp>.json and latest.json / latest.md (the directory is gitignored). */
export function writeReport(dir: string, report: Report, markdown: string): string {
  mkdirSync(dir, { recursive: true });
  const stamp = report.startedAt.replace(/[:.]/g, "-");
  const file = join(dir, `${stamp}.json`);
  const json = `${JSON.stringify(report, null, 2)}\n`;
  writeFileSync(file, json);
  writeFileSync(join(dir, "latest.json"), json);
  writeFileSync(join(dir, "latest.md"), `${markdown}\n`);
  return file;
}
