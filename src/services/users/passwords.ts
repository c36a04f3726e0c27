import type { Ctx } from "../../context";
import type { HashOptions } from "../../crypto/password-hash";
import { checkPasswordRules } from "../../crypto/password-policy";
import { AppError } from "../../lib/errors";

/** The configured scrypt parameters and the pepper: what every hash and verify of a password uses. */
export function hashOptions(ctx: Ctx): HashOptions {
  return { scrypt: ctx.config.scrypt, pepper: ctx.secrets.pepper };
}

/** Applies the password rules with the site's minimum length; 400 with the problem's code otherwise. */
export function assertNewPassword(password: string, minLength: number, field: string): void {
  const problem = checkPasswordRules(password, minLength);
  if (!problem) return;
  const message =
    problem === "password_too_short" ? `At least ${Math.max(8, minLength)} characters` : problem === "password_too_long" ? "At most 256 characters" : "Too common; choose another";
  throw new AppError(problem, { fields: { [field]: message } });
}
