import type { MiddlewareHandler } from "hono";
import { AppError } from "../lib/errors";
import type { AppEnv } from "../lib/types";

export const DEFAULT_BODY_LIMIT = 64 * 1024;
const MAX_JSON_DEPTH = 16;

/** Reads at most `limit` bytes of the body; a longer body is refused before anything parses or hashes it. */
export async function readBodyCapped(req: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(req.headers.get("Content-Length") ?? "0");
  if (declared > limit) throw new AppError("payload_too_large");
  if (!req.body) return new Uint8Array();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw new AppError("payload_too_large");
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

function depthOf(value: unknown, depth = 0): number {
  if (depth > MAX_JSON_DEPTH) return depth;
  if (value === null || typeof value !== "object") return depth;
  let max = depth + 1;
  for (const v of Object.values(value)) max = Math.max(max, depthOf(v, depth + 1));
  return max;
}

function parseJson(bytes: Uint8Array): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    throw new AppError("invalid_request", { message: "The request body is not valid JSON." });
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new AppError("invalid_request", { message: "The request body must be a JSON object." });
  }
  if (depthOf(value) > MAX_JSON_DEPTH) {
    throw new AppError("invalid_request", { message: "The request body is nested too deeply." });
  }
  return value as Record<string, unknown>;
}

/** Form fields become strings; `key[]` and repeated keys become arrays (how PHP clients send lists). */
function parseForm(bytes: Uint8Array): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new AppError("invalid_request", { message: "The form body is not valid UTF-8." });
  }
  const out: Record<string, unknown> = Object.create(null);
  for (const [rawKey, value] of new URLSearchParams(text)) {
    const isList = rawKey.endsWith("[]");
    const key = isList ? rawKey.slice(0, -2) : rawKey;
    const prev = out[key];
    if (isList) out[key] = Array.isArray(prev) ? [...prev, value] : [value];
    else if (prev !== undefined) out[key] = Array.isArray(prev) ? [...prev, value] : [prev, value];
    else out[key] = value;
  }
  return { ...out };
}

export interface BodyOptions {
  /** Accept application/x-www-form-urlencoded (app, service and legacy routes). */
  allowForm: boolean;
  limit?: number;
}

/**
 * Parses JSON or (where allowed) form bodies into one plain object on `c.var.body`, and presents it
 * to the route validators as JSON, so every route validates the same way whatever the client sent.
 * Unsupported content types → 415; bodies over the limit → 413 before any work.
 */
export function parseBody(options: BodyOptions): MiddlewareHandler<AppEnv> {
  const limit = options.limit ?? DEFAULT_BODY_LIMIT;
  return async (c, next) => {
    const method = c.req.method;
    if (method === "GET" || method === "HEAD" || method === "OPTIONS") return next();
    const bytes = await readBodyCapped(c.req.raw, limit);
    const mediaType = (c.req.header("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
    let body: Record<string, unknown>;
    if (bytes.byteLength === 0 && mediaType === "") body = {};
    else if (mediaType === "application/json" || /^application\/[\w.-]+\+json$/.test(mediaType)) {
      body = bytes.byteLength === 0 ? {} : parseJson(bytes);
    } else if (mediaType === "application/x-www-form-urlencoded" && options.allowForm) {
      body = parseForm(bytes);
    } else {
      throw new AppError("unsupported_media_type", {
        message: options.allowForm
          ? "Send application/json or application/x-www-form-urlencoded."
          : "Send application/json.",
      });
    }
    c.set("body", body);
    const headers = new Headers(c.req.raw.headers);
    headers.set("Content-Type", "application/json");
    headers.delete("Content-Length");
    c.req.raw = new Request(c.req.raw.url, { method, headers, body: JSON.stringify(body) });
    return next();
  };
}
