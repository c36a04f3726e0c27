import type { Ctx } from "../context";
import type { Env } from "../env";
import type { ResolvedSite } from "../lib/types";

/** The authenticated principal of a request (set by the session guards). */
export interface AuthContext {
  kind: "user" | "admin";
  principalId: string;
  sessionId: string;
  siteKey: string;
  factors: string[];
  createdAt: number;
  expiresAt: number;
  /** When the user last proved a credential in this session (recent-authentication checks). */
  authenticatedAt: number;
  identity: { [key: string]: string | number | boolean | null };
  /** The presented token (to revoke exactly this session on logout). */
  token: string;
  via: "bearer" | "cookie";
}

/** What the middleware puts on a request for the routes. */
export interface AppVariables {
  requestId: string;
  /** The request context every service call takes (middleware/request-context.ts). */
  ctx: Ctx;
  body: Record<string, unknown>;
  site: ResolvedSite;
  auth: AuthContext;
}

export interface AppEnv {
  Bindings: Env;
  Variables: AppVariables;
}
