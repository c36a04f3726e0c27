import type { MiddlewareHandler } from "hono";
import { AppError } from "../lib/errors";
import type { AppEnv } from "./app-env";

export const DEFAULT_BODY_LIMIT = 64 * 1024;
const MAX_JSON_DEPTH = 16;
/** A Content-Type header the route validators take as it is (anything else is presented to them as this). */
const PLAIN_JSON = /^application\/json(;\s*charset=utf-8)?$/i;

const DECIMAL = /^\d{1,15}$/;

/** Reads at most `limit` bytes of the body; a longer body is refused before anything parses or hashes it. */
export async function readBodyCapped(req: Request, limit: number): Promise<Uint8Array> {
  const header = req.headers.get("Content-Length");
  const declared = header !== null && DECIMAL.test(header) ? Number(header) : null;
  if (declared !== null && declared > limit) throw new AppError("payload_too_large");
  if (!req.body) return new Uint8Array();
  if (declared !== null) {
    // HTTP framing ends the body at its declared length, so one native read is bounded by `limit`
    // (checked again below all the same). It costs a fraction of the chunk loop, which only bodies
    // without a length (chunked) still need.
    const bytes = new Uint8Array(await req.arrayBuffer());
    if (bytes.byteLength > limit) throw new AppError("payload_too_large");
    return bytes;
  }
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

function parseJson(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
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

/** The body as text; bytes that are not UTF-8 are refused, not replaced. */
function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new AppError("invalid_request", { message: `The ${what} is not valid UTF-8.` });
  }
}

/** Form fields become strings; `key[]` and repeated keys become arrays (how PHP clients send lists). */
function parseForm(text: string): Record<string, unknown> {
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
    const contentType = c.req.header("Content-Type") ?? "";
    const mediaType = contentType.split(";")[0]!.trim().toLowerCase();
    let body: Record<string, unknown>;
    let jsonText: string | null = null;
    if (bytes.byteLength === 0 && mediaType === "") body = {};
    else if (mediaType === "application/json" || /^application\/[\w.-]+\+json$/.test(mediaType)) {
      if (bytes.byteLength === 0) body = {};
      else {
        jsonText = decodeUtf8(bytes, "request body");
        body = parseJson(jsonText);
      }
    } else if (mediaType === "application/x-www-form-urlencoded" && options.allowForm) {
      body = parseForm(decodeUtf8(bytes, "form body"));
    } else {
      throw new AppError("unsupported_media_type", {
        message: options.allowForm
          ? "Send application/json or application/x-www-form-urlencoded."
          : "Send application/json.",
      });
    }
    c.set("body", body);
    // The route validators read the body with c.req.json(), which takes the text from Hono's body
    // cache when it is there: giving them the text read here spares copying the body into a new
    // Request and reading it again. (Hono keeps promises in that cache; its type says otherwise.)
    (c.req.bodyCache as { text?: Promise<string> }).text = Promise.resolve(jsonText ?? JSON.stringify(body));
    if (jsonText === null || !PLAIN_JSON.test(contentType)) {
      // Forms, empty bodies and JSON variants: the validators accept only application/json.
      const headers = new Headers(c.req.raw.headers);
      headers.set("Content-Type", "application/json");
      headers.delete("Content-Length");
      c.req.raw = new Request(c.req.raw.url, { method, headers });
    }
    return next();
  };
}
