import { vi } from "vitest";
import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import type { Env } from "../../src/env";
import worker from "../../src/index";
import type { MailMessage } from "../../src/mail/types";
import { insertSite } from "../../src/store/sites";
import { config, db } from "../helpers";

/** Drives the Worker's real `queue` handler with a batch, as the platform would, and returns what it acked/retried. */
export async function runQueue(queue: string, bodies: unknown[], overrides: Partial<Env> = {}, attempts = 1) {
  const messages = bodies.map((body, i) => ({ id: `qm-${i}-${crypto.randomUUID()}`, timestamp: new Date(), attempts, body }));
  const batch = createMessageBatch(queue, messages);
  // The test batch records that retry() was called but not its options: spy on it for delaySeconds.
  const retrySpies = batch.messages.map((m) => vi.spyOn(m, "retry"));
  const ctx = createExecutionContext();
  await (worker as ExportedHandler<Env>).queue!(batch as MessageBatch<unknown>, { ...env, ...overrides } as Env, ctx);
  const result = await getQueueResult(batch, ctx);
  const retryMessages = result.retryMessages.map((r) => {
    const spy = retrySpies[batch.messages.findIndex((m) => m.id === r.msgId)]!;
    return { msgId: r.msgId, delaySeconds: spy.mock.calls[0]?.[0]?.delaySeconds };
  });
  return { ...result, retryMessages, messageIds: messages.map((m) => m.id) };
}

let counter = 0;
export function mailMessage(overrides: Partial<MailMessage> = {}): MailMessage {
  counter += 1;
  return {
    id: `mail_test${counter}_${crypto.randomUUID().slice(0, 8)}`,
    template: "login_code",
    to: "jane@example.com",
    site_key: null,
    data: { code: "482913", expires_minutes: 10 },
    ...overrides,
  } as MailMessage;
}

export interface CapturedRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: any;
}

/**
 * Replaces the global fetch the providers call (the Worker runs in the test's isolate) with a fake
 * provider API that records each request and answers with the next scripted response or error.
 */
export function mockProviderApi(...answers: Array<() => Response | Error>) {
  const calls: CapturedRequest[] = [];
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = new Request(input, init);
    const text = await req.text();
    calls.push({ url: req.url, method: req.method, headers: Object.fromEntries(req.headers), body: text ? JSON.parse(text) : null });
    const next = answers.length > 1 ? answers.shift()! : answers[0]!;
    const answer = next();
    if (answer instanceof Error) throw answer;
    return answer;
  });
  return calls;
}

export const jsonAnswer = (status: number, body: unknown, headers: Record<string, string> = {}) => () =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });

/** A registered site with full branding (support_email → Reply-To). */
export async function createBrandedSite(siteKey: string): Promise<void> {
  await insertSite(
    db(),
    {
      site_key: siteKey,
      name: "Branded",
      status: "active",
      allowed_origins: [],
      reset_url: null,
      onboarding_url: null,
      branding: { display_name: "Acme Portal", from_name: "Acme Accounts", support_email: "help@acme.example", primary_color: "#112233" },
      policy: config().defaultPolicy,
    },
    Date.now(),
  );
}
