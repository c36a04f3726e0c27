import { z } from "@hono/zod-openapi";
import type { Hook } from "@hono/zod-openapi";
import { AppError } from "../lib/errors";
import type { AppEnv } from "../middleware/app-env";

export const ErrorSchema = z
  .object({
    ok: z.literal(false),
    error: z.object({
      code: z.string().openapi({ example: "invalid_request" }),
      message: z.string(),
      fields: z.record(z.string(), z.string()).optional(),
    }),
    request_id: z.string(),
  })
  .openapi("Error");

/** Standard error responses for a route's OpenAPI entry. */
export function errorResponses(...statuses: number[]) {
  const out: Record<number, { description: string; content: { "application/json": { schema: typeof ErrorSchema } } }> = {};
  for (const status of statuses) {
    out[status] = { description: `Error (${status})`, content: { "application/json": { schema: ErrorSchema } } };
  }
  return out;
}

/** A JSON success response for the OpenAPI entry. */
export function jsonResponse<T extends z.ZodType>(schema: T, description = "Success") {
  return { description, content: { "application/json": { schema } } };
}

/** A JSON request body for the OpenAPI entry (form-encoded bodies are accepted too and validated the same). */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return { content: { "application/json": { schema } }, required: true };
}

/** Turns zod failures into 400 invalid_request with the field paths. */
export const validationHook: Hook<unknown, AppEnv, string, unknown> = (result) => {
  if (result.success) return;
  const fields: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const path = issue.path.length ? issue.path.join(".") : "_";
    fields[path] ??= issue.message;
  }
  throw new AppError("invalid_request", { fields });
};
