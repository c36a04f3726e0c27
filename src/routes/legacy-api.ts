import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { AppError } from "../lib/errors";
import { markInternal } from "../lib/internal-requests";
import type { AppEnv } from "../middleware/app-env";
import { errorResponses, validationHook } from "./common";

/** action → the direct route that answers it. The wrapper calls that route's own handler. */
export const LEGACY_ACTIONS = {
  login: { method: "POST", path: "/api/auth_login" },
  factor_challenge: { method: "POST", path: "/api/auth_factor_challenge" },
  factor_verify: { method: "POST", path: "/api/auth_factor_verify" },
  me: { method: "GET", path: "/api/auth_me" },
  logout: { method: "POST", path: "/api/auth_logout" },
  password_reset_request: { method: "POST", path: "/api/auth_password_reset_request" },
  password_reset_check: { method: "POST", path: "/api/auth_password_reset_check" },
  password_reset_complete: { method: "POST", path: "/api/auth_password_reset_complete" },
  onboarding_request: { method: "POST", path: "/api/auth_onboarding_request" },
  onboarding_check: { method: "POST", path: "/api/auth_onboarding_check" },
  onboarding_complete: { method: "POST", path: "/api/auth_onboarding_complete" },
  register: { method: "POST", path: "/api/auth_register" },
  register_start: { method: "POST", path: "/api/auth_register_start" },
  register_verify: { method: "POST", path: "/api/auth_register_verify" },
} as const;

export type LegacyAction = keyof typeof LEGACY_ACTIONS;
const ACTION_NAMES = Object.keys(LEGACY_ACTIONS) as LegacyAction[];

const legacyRoute = createRoute({
  method: "post",
  path: "/api/auth_api",
  tags: ["Compatibility"],
  summary: "Consolidated wrapper for older Auth2 clients: `action` + that action's fields",
  description:
    "Legacy clients that still call the consolidated auth API. `action` (body field or query parameter) selects one of: " +
    `${ACTION_NAMES.join(", ")}. The rest of the body is that action's fields; the answer (status, body, headers, cookies) ` +
    "is exactly what the direct route gives, because the direct route's handler answers it. Unknown or missing action → 400 unknown_action.",
  request: {
    query: z.object({ action: z.string().optional() }),
    body: {
      content: { "application/json": { schema: z.object({ action: z.string().optional().openapi({ enum: ACTION_NAMES }) }).passthrough() } },
      required: false,
    },
  },
  responses: {
    200: { description: "What the selected route answers (any of its statuses)" },
    ...errorResponses(400, 413, 415),
  },
});

/** Headers the inner request keeps: credentials, client address and site; never the body's framing. */
const FORWARDED_HEADERS = ["authorization", "cookie", "cf-connecting-ip", "user-agent", "origin", "sec-fetch-site", "x-site-key", "accept", "accept-language"];

export function legacyApiRoutes(dispatch: (request: Request, c: Context<AppEnv>) => Response | Promise<Response>) {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(legacyRoute, async (c) => {
    const { action: bodyAction, ...fields } = c.var.body;
    const action = typeof bodyAction === "string" && bodyAction ? bodyAction : c.req.query("action");
    if (!action || !Object.hasOwn(LEGACY_ACTIONS, action)) {
      throw new AppError("unknown_action", { extra: { actions: ACTION_NAMES } });
    }
    const target = LEGACY_ACTIONS[action as LegacyAction];
    const headers = new Headers();
    for (const name of FORWARDED_HEADERS) {
      const value = c.req.header(name);
      if (value !== undefined) headers.set(name, value);
    }
    const url = new URL(target.path, c.req.url);
    let body: string | undefined;
    if (target.method === "POST") {
      headers.set("Content-Type", "application/json");
      body = JSON.stringify(fields);
    }
    const inner = markInternal(new Request(url, { method: target.method, headers, body }), c.var.requestId);
    return dispatch(inner, c) as never;
  });
}
