// The entry of the passkey bundle check (scripts/check-passkeys-bundle.ts): the production Worker
// (src/index.ts, unchanged: its fetch, queue, scheduled and Durable Object classes) plus one extra
// path that runs the passkey ceremonies inside the bundle. This file is never the Worker's entry in
// wrangler.toml: the extra path exists only in the bundle this check builds and throws away.
import worker from "../../src/index";
import type { Env } from "../../src/env";
import { runPasskeyProbe } from "./probe";

export { Limiter, UserState } from "../../src/index";

const PROBE_PATH = "/__passkeys_probe";

export default {
  ...worker,
  async fetch(request, env, ctx) {
    if (new URL(request.url).pathname === PROBE_PATH) return Response.json(await runPasskeyProbe(env));
    return worker.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
