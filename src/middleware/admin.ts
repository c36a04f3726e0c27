import type { MiddlewareHandler } from "hono";
import { AppError } from "../lib/errors";
import type { AppEnv } from "./app-env";

/**
 * With ADMIN_REQUIRE_TOTP on, an admin session that was not confirmed with TOTP may only enrol
 * (admin/me, logout, totp_enroll, totp_confirm skip this guard); every other admin route answers 403.
 */
// Use as `middleware: [requireAdminSession, requireAdminFactors] as const` on every admin route but
// login, me, logout, totp_enroll and totp_confirm.
export const requireAdminFactors: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.var.ctx.config.adminRequireTotp && !c.var.auth.factors.includes("totp")) throw new AppError("totp_enrollment_required");
  return next();
};
