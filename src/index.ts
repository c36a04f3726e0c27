import { createApp } from "./app";
import { createContext, systemMeta } from "./context";
import { generateId } from "./crypto/random";
import type { Env } from "./env";
import { withoutDevelopmentMode } from "./env";
import { canonicalPath } from "./lib/paths";
import { consumeDeadMailBatch, consumeMailBatch } from "./mail/consumer";
import { isLoopbackHost, productionProblems } from "./production-check";
import { runScheduledJob } from "./scheduled";

export { UserState } from "./durable/user-state";
export { Limiter } from "./durable/limiter";

const app = createApp();

export default {
  fetch(request, env, ctx) {
    const url = new URL(request.url);
    // Development mode answers only requests addressed to this machine (see withoutDevelopmentMode).
    if (env.ENVIRONMENT === "development" && !isLoopbackHost(url.hostname)) env = withoutDevelopmentMode(env);
    const path = canonicalPath(url.pathname);
    if (path !== url.pathname) {
      url.pathname = path;
      request = new Request(url, request);
    }
    return app.fetch(request, env, ctx);
  },
  async queue(batch, env, executionCtx) {
    const ctx = createContext(env, { meta: systemMeta(`queue_${generateId(8)}`), waitUntil: (work) => executionCtx.waitUntil(work) });
    // One Worker consumes both the mail queue and its dead-letter queue (auth2-mail-dlq).
    if (batch.queue.endsWith("-dlq")) await consumeDeadMailBatch(ctx, batch);
    // Not configured for production: nothing could be sent as it should, so the queue keeps the mail.
    else if (productionProblems(env).length > 0) batch.retryAll({ delaySeconds: 300 });
    else await consumeMailBatch(ctx, batch);
  },
  async scheduled(controller, env, executionCtx) {
    if (productionProblems(env).length > 0) return;
    const ctx = createContext(env, { meta: systemMeta(`cron_${generateId(8)}`), waitUntil: (work) => executionCtx.waitUntil(work), now: Date.now() });
    await runScheduledJob(ctx, controller.cron);
  },
} satisfies ExportedHandler<Env>;
