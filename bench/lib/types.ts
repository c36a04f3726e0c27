import type { Miniflare } from "miniflare";
import type { FakeMailProvider } from "./fake-mail";
import type { MachineInfo } from "./machine";
import type { SitePolicy } from "../../src/lib/site-policy";

// The scenario API. A scenario is a file bench/scenarios/<name>.ts whose default export is a Scenario;
// the runner discovers it, runs its setup, measures its routes in order and checks their targets.

/** One HTTP request as the load generator sends it. Objects in `body` are sent as JSON. */
export interface RequestSpec {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Record<string, unknown>;
}

/**
 * A fixed request, or a factory called for every request with the route's counter (0, 1, 2, … across
 * its warm-up and measurement, never repeated), e.g. to log in as a different user each time so a
 * per-email limiter never answers instead of the route, or to spend each one-time token once.
 */
export type RequestInput = RequestSpec | ((i: number) => RequestSpec);

/** What a flow's `send` answers: the response's status and body text, and the request's latency in ms. */
export interface FlowResponse {
  status: number;
  body: string;
  ms: number;
}

export type FlowSend = (request: RequestSpec) => Promise<FlowResponse>;

/**
 * Several requests that make one sample (e.g. sign in, then send the second factor's code): `flow` is
 * called with the route's counter (as a factory is) and a `send` that makes one request; the sample is
 * the whole flow, timed end to end, and every request's status counts against `expectStatus`. Under
 * load, `connections` flows run at once, each starting the next when it ends (closed loop); a thrown
 * error counts as a failed request.
 */
export interface Flow {
  flow: (i: number, send: FlowSend) => Promise<void>;
}

export function isFlow(input: RequestInput | Flow): input is Flow {
  return typeof input === "object" && "flow" in input;
}

/** Sees every response of a route: the request's counter index, its status and its body (e.g. to collect tokens or account for writes). */
export type ResponseHook = (i: number, status: number, body: string) => void;

/** Built-in floors, measured at the start and again at the end of every run. */
export const FLOOR_NAMES = ["bare", "do", "d1"] as const;
export type FloorName = (typeof FLOOR_NAMES)[number];

/**
 * Declared targets; any failing target makes `npm run bench` exit non-zero. Ratios are against the
 * route's `floor` (a built-in floor, or another measured route), measured in the same run and mode.
 */
export interface Targets {
  /** route req/s ÷ floor req/s ≥ this (load mode). */
  minRatioRps?: number;
  /** route p99 ÷ floor p99 ≤ this. */
  maxRatioP99?: number;
  /** route p50 (median) ÷ floor p50 ≤ this. */
  maxRatioP50?: number;
  /** |route p50 − floor p50| ≤ this many ms (timing equality, e.g. enumeration). */
  maxDiffP50Ms?: number;
  /** Absolute p50 (median) latency ≤ this many ms. */
  maxP50Ms?: number;
  /** Absolute p99 latency ≤ this many ms. */
  maxP99Ms?: number;
  /** Absolute req/s ≥ this (load mode). */
  minRps?: number;
  /** workerd CPU per request ÷ the floor's ≤ this (steady on a shared machine; Linux only). */
  maxRatioCpu?: number;
  /** workerd CPU ms per request ≤ this (Linux only). */
  maxCpuMs?: number;
}

export interface RouteSpec {
  /** Unique within the scenario; the result id is "<scenario>/<label>". */
  label: string;
  request: RequestInput | Flow;
  /**
   * What the figures are divided by: "bare" | "do" | "d1", or another route measured earlier in the run
   * ("<label>" of this scenario or "<scenario>/<label>", whose scenario is then run first).
   */
  floor: string;
  /**
   * "load" (default): autocannon, many connections, fixed duration.
   * "sequential": one request at a time, `samples` of them — per-request latency (hashing, timing checks).
   */
  mode?: "load" | "sequential";
  /** Expected HTTP status or statuses (default: any 2xx). Any other status or a socket error fails the route. */
  expectStatus?: number | number[];
  /** Called with every response (warm-up included) of a request route; flows see their responses themselves. */
  onResponse?: ResponseHook;
  /** Load mode: connections (default from the command line, 32) and duration in seconds. */
  connections?: number;
  durationSeconds?: number;
  /**
   * Load mode: at most this many requests (or flows) per second over all connections (default: as fast
   * as the connections go), e.g. to give sign-ins a fixed share of a mixed load. A flow's wait for its
   * slot is not part of its latency.
   */
  rate?: number;
  /** Sequential mode: measured samples (default from the command line) and unmeasured warm-up samples. */
  samples?: number;
  warmupSamples?: number;
  targets?: Targets;
  /** Runs just before this route is measured (e.g. grow a table between two measurements). */
  prepare?: (ctx: BenchContext) => Promise<void>;
  /** Runs after the measurement: return problems (lost writes, wrong counts); any problem fails the route. */
  check?: (ctx: BenchContext, result: RouteResult) => Promise<string[] | void>;
}

export interface Scenario {
  /** Must equal the file name without .ts; used on the command line (`npm run bench -- <name>`). */
  name: string;
  description: string;
  /** Order in the default run (lower first; default 100). */
  order?: number;
  /** Left out of the default run; runs only when named (`npm run bench -- <name>`) or depended on. */
  optional?: boolean;
  /** Seeds what the routes need; runs once, before the first route. */
  setup?: (ctx: BenchContext) => Promise<void>;
  routes: RouteSpec[];
  /**
   * "serial" (default): one route after another.
   * "concurrent": every load route at once, each with its own connections (a mixed load; per-route figures).
   * "interleaved": sequential routes sampled round-robin, so drift on a shared machine hits every case alike.
   */
  schedule?: "serial" | "concurrent" | "interleaved";
  /** Headline lines for the report, from the final results (e.g. "one hash costs X ms"). */
  summary?: (results: ReadonlyMap<string, RouteResult>, machine: MachineInfo) => string[];
}

/** Latency distribution in milliseconds. */
export interface LatencyStats {
  count: number;
  mean: number;
  stdev: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface LoadStats {
  connections: number;
  durationSeconds: number;
  requests: number;
  rps: number;
  /** Spread of the per-second request counts (of the slices' rates for a paired route). */
  rpsStdev: number;
  rpsMin: number;
  rpsMax: number;
  latency: LatencyStats;
  /** workerd CPU time (user + system) per response during the measurement; null when not attributable. */
  cpuMsPerRequest: number | null;
  errors: number;
  timeouts: number;
  statusCounts: Record<string, number>;
}

export interface SequentialStats {
  samples: number;
  latency: LatencyStats;
  /** workerd CPU time per sample; null when interleaved with other routes. */
  cpuMsPerRequest: number | null;
  statusCounts: Record<string, number>;
}

export interface TargetResult {
  target: keyof Targets;
  limit: number;
  actual: number | null;
  pass: boolean;
}

export interface RouteResult {
  id: string;
  scenario: string;
  label: string;
  mode: "load" | "sequential";
  floor: string;
  stats: LoadStats | SequentialStats;
  /**
   * The floor figures the ratios use: "paired" = the built-in floor measured in slices alternating
   * with this route's (load) or interleaved sample by sample with it (sequential); "run" = the run's floor passes
   * (mean of start and end); "route" = another route's result.
   */
  floorFigures: { source: "paired" | "run" | "route"; rps: number | null; p50: number; p99: number; cpuMsPerRequest: number | null } | null;
  /** Against the floor: rps (load only), p50, p99, workerd CPU per request. */
  ratios: { rps: number | null; p50: number | null; p99: number | null; cpu: number | null };
  /**
   * Paired load routes measured in more than one block of alternating slices (a req/s ratio target,
   * see figures.ts needsAnotherBlock): each block's req/s ratio, their mean and the half-width of
   * its 95 % interval. `ratios.rps` (what the target judges) is over all blocks' requests together.
   */
  blocks: { count: number; ratios: number[]; mean: number; halfWidth: number | null } | null;
  targets: TargetResult[];
  problems: string[];
  pass: boolean;
}

export interface BenchOptions {
  /** Measure a load route's built-in floor in slices alternating with it (robust against drift on a shared machine). */
  paired: boolean;
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  samples: number;
}

export interface CallOptions {
  method?: string;
  json?: unknown;
  form?: Record<string, string>;
  headers?: Record<string, string>;
}

export interface SeedSiteOptions {
  name?: string;
  status?: "active" | "inactive";
  allowed_origins?: string[];
  policy?: Partial<SitePolicy>;
}

export interface SeedUsersOptions {
  /** Ids are `${idPrefix}${n}` and emails `${emailPrefix}${n}@${domain}` for n = start … start+count−1. */
  start?: number;
  idPrefix?: string;
  emailPrefix?: string;
  domain?: string;
  status?: "pending" | "active" | "disabled";
  /** Stored for every row (default: a production-parameter hash of BENCH_PASSWORD). */
  passwordHash?: string | null;
  /** created_at of row n = createdAtStart + n ms. */
  createdAtStart?: number;
}

export interface BenchContext {
  mf: Miniflare;
  /** e.g. http://127.0.0.1:40123 — the Worker itself, no proxy. */
  baseUrl: string;
  options: BenchOptions;
  /** The vars and secrets the Worker runs with. */
  vars: Readonly<Record<string, string>>;
  /** D1 binding `DB` (through Miniflare; a fresh proxy after restartWorker). */
  readonly db: D1Database;
  /**
   * Stops the workerd process and starts it again on the same storage and port (Miniflare setOptions
   * with the same options): a platform restart of every isolate and Durable Object. Queue messages in
   * flight live in workerd's memory locally and are lost: let the queue drain first.
   */
  restartWorker(): Promise<void>;
  /** The fake Resend every outbound fetch of the Worker reaches (bench/lib/fake-mail.ts): up/down, deliveries, codes. */
  mail: FakeMailProvider;
  /** Runs one statement; returns its rows. */
  sql<T = Record<string, unknown>>(query: string, ...params: unknown[]): Promise<T[]>;
  /**
   * Inserts `count` rows generated inside SQLite (recursive CTE, in chunks) — a million rows in seconds.
   * `columns` maps column → SQL expression of `n` (1-based row number + `offset`), e.g.
   * `{ id: "'usr_' || n", created_at: "1700000000000 + n" }`.
   */
  bulkInsert(table: string, count: number, columns: Record<string, string>, offset?: number): Promise<void>;
  /** Drives the Worker over HTTP, as a client would (JSON/form helpers as in test/helpers.ts). */
  call(path: string, options?: CallOptions): Promise<Response>;
  /** A registered site with its policy (defaults from the Worker's default policy vars). */
  seedSite(siteKey: string, options?: SeedSiteOptions): Promise<void>;
  /** Bulk users (see SeedUsersOptions); returns their ids and emails as functions of n. */
  seedUsers(count: number, options?: SeedUsersOptions): Promise<{ id: (n: number) => string; email: (n: number) => string }>;
  /** Bulk audit rows spread over `users` actors and the usual actions. */
  seedAudit(count: number, options?: { start?: number; users?: number; idPrefix?: string; siteKey?: string }): Promise<void>;
  /** A stored hash of `password` with the production parameters and the bench pepper (computed in Node). */
  hashPassword(password: string): Promise<string>;
  /** The password behind the default seeded hash. */
  password: string;
  /** Every result measured so far in this run, by id ("bare", "do", "d1", "<scenario>/<label>"). */
  results: ReadonlyMap<string, RouteResult>;
  log(message: string): void;
}
