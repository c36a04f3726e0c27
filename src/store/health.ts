import type { Env } from "../env";

export const HEALTH_KV_KEY = "health:probe";

/** Checks that D1 answers a query and KV answers a read. */
export async function checkStorage(env: Env): Promise<{ d1: "ok" | "error"; kv: "ok" | "error" }> {
  const [d1, kv] = await Promise.all([
    env.DB.prepare("SELECT 1 AS one")
      .first<{ one: number }>()
      .then((row) => (row?.one === 1 ? "ok" : "error"))
      .catch(() => "error" as const),
    env.CHALLENGES.get(HEALTH_KV_KEY)
      .then(() => "ok" as const)
      .catch(() => "error" as const),
  ]);
  return { d1: d1 as "ok" | "error", kv };
}
