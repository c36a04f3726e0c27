import { readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { FLOOR_NAMES, type Scenario } from "./types";

// Every bench/scenarios/<name>.ts is a scenario (default export). Adding a benchmark = adding a file.

export async function loadScenarios(dir: string): Promise<Scenario[]> {
  const files = readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")).sort();
  const scenarios: Scenario[] = [];
  for (const file of files) {
    const mod = (await import(pathToFileURL(join(dir, file)).href)) as { default?: Scenario };
    const scenario = mod.default;
    const expected = file.replace(/\.ts$/, "");
    if (!scenario || typeof scenario !== "object" || !Array.isArray(scenario.routes)) {
      throw new Error(`bench/scenarios/${file} must default-export a Scenario`);
    }
    if (scenario.name !== expected) throw new Error(`bench/scenarios/${file}: name must be "${expected}"`);
    const labels = new Set<string>();
    for (const route of scenario.routes) {
      if (labels.has(route.label)) throw new Error(`${scenario.name}: duplicate route label "${route.label}"`);
      labels.add(route.label);
    }
    scenarios.push(scenario);
  }
  return scenarios;
}

/** Scenarios another route's floor points at ("<scenario>/<label>"). */
function dependencies(scenario: Scenario): string[] {
  const deps = new Set<string>();
  for (const route of scenario.routes) {
    if ((FLOOR_NAMES as readonly string[]).includes(route.floor) || !route.floor.includes("/")) continue;
    const dep = route.floor.split("/")[0]!;
    if (dep !== scenario.name) deps.add(dep);
  }
  return [...deps];
}

/**
 * The scenarios to run, in order: the requested ones (all when none are named) plus whatever their floors
 * depend on, dependencies first, otherwise by `order` then name. Unknown names and bad floors are errors.
 */
export function planScenarios(all: Scenario[], requested: string[]): Scenario[] {
  const byName = new Map(all.map((s) => [s.name, s]));
  for (const name of requested) {
    if (!byName.has(name)) throw new Error(`unknown scenario "${name}" (have: ${[...byName.keys()].join(", ")})`);
  }
  const sorted = [...all].sort((a, b) => (a.order ?? 100) - (b.order ?? 100) || a.name.localeCompare(b.name));
  const wanted = new Set<string>();
  const want = (name: string, chain: string[]) => {
    if (chain.includes(name)) throw new Error(`scenario dependency cycle: ${[...chain, name].join(" → ")}`);
    const s = byName.get(name);
    if (!s) throw new Error(`${chain.at(-1)}: a floor refers to unknown scenario "${name}"`);
    if (wanted.has(name)) return;
    for (const dep of dependencies(s)) want(dep, [...chain, name]);
    wanted.add(name);
  };
  for (const s of requested.length ? requested.map((n) => byName.get(n)!) : sorted.filter((x) => !x.optional)) want(s.name, []);
  // Dependencies first, else the default order.
  const plan: Scenario[] = [];
  const placed = new Set<string>();
  const place = (s: Scenario) => {
    if (placed.has(s.name)) return;
    for (const dep of dependencies(s)) place(byName.get(dep)!);
    placed.add(s.name);
    plan.push(s);
  };
  for (const s of sorted) if (wanted.has(s.name)) place(s);
  // Within a scenario a floor may only name a route measured before it.
  for (const s of plan) {
    const seen = new Set<string>();
    for (const route of s.routes) {
      const isBuiltin = (FLOOR_NAMES as readonly string[]).includes(route.floor);
      if (!isBuiltin && !route.floor.includes("/") && !seen.has(route.floor)) {
        throw new Error(`${s.name}/${route.label}: floor "${route.floor}" is neither a built-in floor nor an earlier route of ${s.name}`);
      }
      seen.add(route.label);
    }
  }
  return plan;
}
