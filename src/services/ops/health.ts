import type { Ctx } from "../../context";

/** Whether D1 answers a query and KV a read (the /healthz probe). */
export function checkStorage(ctx: Ctx): Promise<{ d1: "ok" | "error"; kv: "ok" | "error" }> {
  return ctx.store.health.check();
}
