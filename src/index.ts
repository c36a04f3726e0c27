import { createApp } from "./app";
import type { Env } from "./env";
import { canonicalPath } from "./lib/paths";
import { consumeDeadMailBatch, consumeMailBatch } from "./mail/consumer";
import { runScheduledJob } from "./services/scheduled";

export { UserState } from "./durable/user-state";
export { Limiter } from "./durable/limiter";

const app = createApp();

export default {
  fetch(request, env, ctx) {
    const url = new URL(request.url);
    const path = canonicalPath(url.pathname);
    if (path !== url.pathname) {
      url.pathname = path;
      request = new Request(url, request);
    }
    return app.fetch(request, env, ctx);
  },
  async queue(batch, env) {
    // One Worker consumes both the mail queue and its dead-letter queue (auth2-mail-dlq).
    if (batch.queue.endsWith("-dlq")) await consumeDeadMailBatch(batch, env);
    else await consumeMailBatch(batch, env);
  },
  async scheduled(controller, env) {
    await runScheduledJob(controller.cron, env, Date.now());
  },
} satisfies ExportedHandler<Env>;
