import { Response as MfResponse, type Request as MfRequest } from "miniflare";

// The mail provider the bench Worker talks to. The Worker runs with MAIL_PROVIDER=resend, and
// Miniflare's `outboundService` hands every outbound fetch of the Worker to `handle` here (in the
// harness's Node process), so the real queue consumer, retry/backoff and dead-letter path run while
// the harness decides whether "Resend" is up. Deliveries are counted per Idempotency-Key (the mail
// id): a key accepted twice would be a duplicate send.

const json = (status: number, body: unknown) => new MfResponse(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

export interface FakeDelivery {
  /** Idempotency-Key (the mail id). */
  key: string;
  to: string;
  subject: string;
  text: string;
  at: number;
}

export class FakeMailProvider {
  /** While true, every send is answered 503 (a provider outage). */
  down = false;
  /** Accepted sends, in order (a repeated key is recorded again: that is the duplicate to catch). */
  readonly deliveries: FakeDelivery[] = [];
  /** Attempts per Idempotency-Key, accepted or refused. */
  readonly attempts = new Map<string, number>();
  /** Outbound requests to any other host (the Worker has none in the bench). */
  readonly unexpected: string[] = [];

  readonly handle = async (request: MfRequest): Promise<MfResponse> => {
    const url = new URL(request.url);
    if (url.hostname !== "api.resend.com" || url.pathname !== "/emails" || request.method !== "POST") {
      this.unexpected.push(`${request.method} ${url.origin}${url.pathname}`);
      return new MfResponse("not found", { status: 404 });
    }
    const key = request.headers.get("Idempotency-Key") ?? "";
    this.attempts.set(key, (this.attempts.get(key) ?? 0) + 1);
    if (this.down) {
      return json(503, { statusCode: 503, name: "internal_server_error", message: "bench: provider down" });
    }
    const body = (await request.json()) as { to?: string[]; subject?: string; text?: string };
    this.deliveries.push({ key, to: body.to?.[0] ?? "", subject: body.subject ?? "", text: body.text ?? "", at: Date.now() });
    return json(200, { id: `bench_${key}` });
  };

  /** Accepted sends to an address (lower-case), oldest first. */
  to(address: string): FakeDelivery[] {
    const a = address.toLowerCase();
    return this.deliveries.filter((d) => d.to.toLowerCase() === a);
  }

  /** The one-time code (a 4–10 digit line) in the newest mail to `address`, or null. */
  lastCode(address: string): string | null {
    const mail = this.to(address).at(-1);
    return mail ? (/^(\d{4,10})$/m.exec(mail.text)?.[1] ?? null) : null;
  }

  /** Polls `done` every 200 ms until it holds or `timeoutMs` passes; returns whether it held. */
  async waitFor(done: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await done()) return true;
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
