import type { Env } from "../env";

export const HEALTH_KV_KEY = "health:probe";

export interface HealthStore {
  /** Checks that D1 answers a query and KV answers a read. */
  check(): Promise<{ d1: "ok" | "error"; kv: "ok" | "error" }>;
}

export function createHealthStore(env: Env): HealthStore {
  return {
    async check() {
      const [d1, kv] = await Promise.all([
        env.DB.prepare("SELECT 1 AS one")
          .first<{ one: number }>()
          .then((row) => (row?.one === 1 ? ("ok" as const) : ("error" as const)))
          .catch(() => "error" as const),
        env.CHALLENGES.get(HEALTH_KV_KEY)
          .then(() => "ok" as const)
          .catch(() => "error" as const),
      ]);
      return { d1, kv };
    },
  };
}
