import { MailSendError, safeCode } from "./types";

const TIMEOUT_MS = 15_000;

export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** POSTs JSON to a provider. Network failures and timeouts become retryable MailSendErrors. */
export async function postJson(provider: string, url: string, headers: Record<string, string>, body: unknown): Promise<HttpAnswer> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { Accept: "application/json", "Content-Type": "application/json", ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    const timeout = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
    throw new MailSendError(true, `${provider}: ${timeout ? "timeout" : "network_error"}`);
  }
  let parsed: Record<string, unknown> = {};
  try {
    const json: unknown = await res.json();
    if (json && typeof json === "object" && !Array.isArray(json)) parsed = json as Record<string, unknown>;
  } catch {
    // Not JSON (an HTML error page from a proxy, an empty body): the status decides.
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

/** Seconds from a Retry-After header (delta-seconds or HTTP date), if any. */
export function retryAfterSeconds(headers: Headers): number | undefined {
  const value = headers.get("Retry-After");
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/**
 * The error for a non-2xx answer: 408, 429 and 5xx are retryable (the provider may accept the same
 * request later); any other 4xx is permanent (the request itself is wrong: bad recipient, sender,
 * payload or credentials) unless the caller lists it in `alsoRetryable`.
 */
export function httpError(provider: string, answer: HttpAnswer, code: unknown, alsoRetryable = false): MailSendError {
  const retryable = alsoRetryable || answer.status === 408 || answer.status === 429 || answer.status >= 500;
  const name = safeCode(code);
  return new MailSendError(retryable, `${provider}: http_${answer.status}${name ? ` ${name}` : ""}`, retryable ? retryAfterSeconds(answer.headers) : undefined);
}
