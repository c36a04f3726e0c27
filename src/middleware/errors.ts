import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { AppError, errorBody } from "../lib/errors";
import type { AppEnv } from "./app-env";

const STORAGE_ERROR = /D1_ERROR|D1_|KV (GET|PUT|DELETE|LIST)|R2 |Durable Object|storage (is )?unavailable|Network connection lost|overloaded/i;

/**
 * The error and its causes, outermost first. drizzle wraps every failed D1 query in a DrizzleQueryError
 * ("Failed query: <sql> params: <values>") whose `cause` is the D1 error itself.
 */
function causeChain(err: Error): Error[] {
  const chain = [err];
  for (let e = err.cause; e instanceof Error && chain.length < 5; e = e.cause) chain.push(e);
  return chain;
}

/** Errors from D1, KV, R2 or a Durable Object (also wrapped by drizzle) that mean "storage unavailable", not "bug". */
export function isStorageError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return causeChain(err).some((e) => STORAGE_ERROR.test(`${e.name} ${e.message}`));
}

/** What the log line says: the innermost cause, never drizzle's message (it carries the SQL parameters: hashes, emails). */
function loggedError(err: Error): { name: string; message: string } {
  const chain = causeChain(err);
  const root = chain[chain.length - 1]!;
  const message = root.message.startsWith("Failed query:") ? "Failed query" : root.message;
  return { name: chain.length > 1 ? `${err.name}<${root.name}>` : err.name, message: message.slice(0, 500) };
}

/** The JSON error envelope for `err` (request id, status, extra headers). */
export function errorResponse(c: Context<AppEnv>, err: AppError): Response {
  const requestId = c.var.requestId ?? "unknown";
  const res = c.json(errorBody(err, requestId), err.status as 400);
  if (err.headers) for (const [k, v] of Object.entries(err.headers)) res.headers.set(k, v);
  return res;
}

/** The one error handler: known errors keep their code; anything else is logged here and answered generically. */
export const onError: ErrorHandler<AppEnv> = (err, c) => {
  if (err instanceof AppError) return errorResponse(c, err);
  if (err instanceof HTTPException) {
    const status = err.status;
    if (status === 413) return errorResponse(c, new AppError("payload_too_large"));
    if (status === 415) return errorResponse(c, new AppError("unsupported_media_type"));
    if (status === 405) return errorResponse(c, new AppError("method_not_allowed"));
    if (status === 404) return errorResponse(c, new AppError("not_found"));
    if (status < 500) return errorResponse(c, new AppError("invalid_request", { status }));
  }
  const storage = isStorageError(err);
  // The request id ties this log line to the client's error without sending internals to the client.
  console.error(JSON.stringify({ level: "error", request_id: c.var.requestId, kind: storage ? "storage" : "internal", ...loggedError(err) }));
  return errorResponse(c, new AppError(storage ? "service_unavailable" : "internal_error"));
};

export const notFound: NotFoundHandler<AppEnv> = (c) => errorResponse(c, new AppError("not_found"));
