import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import type { SitePolicy } from "../src/env";
import { readConfig } from "../src/env";
import { createDb } from "../src/store/db";
import { insertSite } from "../src/store/sites";

export const BASE = "https://auth.test";

export interface CallOptions {
  method?: string;
  json?: unknown;
  form?: Record<string, string>;
  body?: BodyInit;
  headers?: Record<string, string>;
}

/** Sends a request through the Worker's own fetch handler, as a client would. */
export function call(path: string, options: CallOptions = {}): Promise<Response> {
  const headers = new Headers(options.headers);
  let body: BodyInit | undefined = options.body;
  if (options.json !== undefined) {
    headers.set("Content-Type", "application/json");
    body = JSON.stringify(options.json);
  } else if (options.form) {
    headers.set("Content-Type", "application/x-www-form-urlencoded");
    body = new URLSearchParams(options.form).toString();
  }
  if (!headers.has("CF-Connecting-IP")) headers.set("CF-Connecting-IP", "203.0.113.10");
  const method = options.method ?? (body === undefined ? "GET" : "POST");
  return exports.default.fetch(new Request(`${BASE}${path}`, { method, headers, body }));
}

export async function json<T = Record<string, any>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

export const db = () => createDb(env.DB);
export const config = () => readConfig(env);

export async function createSite(
  siteKey: string,
  options: { status?: "active" | "inactive"; policy?: Partial<SitePolicy>; allowed_origins?: string[]; reset_url?: string; onboarding_url?: string; name?: string } = {},
): Promise<void> {
  await insertSite(
    db(),
    {
      site_key: siteKey,
      name: options.name ?? `Site ${siteKey}`,
      status: options.status ?? "active",
      allowed_origins: options.allowed_origins ?? [],
      reset_url: options.reset_url ?? null,
      onboarding_url: options.onboarding_url ?? null,
      branding: { display_name: `Site ${siteKey}` },
      policy: { ...config().defaultPolicy, ...options.policy },
    },
    Date.now(),
  );
}
