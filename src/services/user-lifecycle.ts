import type { Env } from "../env";
import { normaliseEmail } from "../lib/email";
import { AppError } from "../lib/errors";
import { deleteAvatarPrefix } from "../store/avatars";
import type { Db } from "../store/db";
import { deleteUserRow } from "../store/user-registry";
import { type UserRow, findUserByEmail } from "../store/users";
import { auditStatementIfChanged, recordAudit } from "./audit";
import { sendOnboardingCode } from "./onboarding";
import { destroyAccountState } from "./sessions";
import { type AdminContext, requireUser } from "./user-registry";

/**
 * Deletes a user: the D1 row (their API keys go with it by foreign-key cascade), their avatar
 * objects and their Durable Object state (sessions end at once). Audit rows about them stay.
 */
export async function deleteUser(env: Env, db: Db, userId: string, ctx: AdminContext): Promise<void> {
  const user = await requireUser(db, userId);
  // Parallel deletes: only the request whose DELETE removed the row audits it; the others answer 404.
  const [deleted] = await db.batch([
    deleteUserRow(db, user.id),
    auditStatementIfChanged(
      db,
      { actor: { type: "admin", id: ctx.adminId }, action: "user.delete", target: { type: "user", id: user.id }, details: { before: { email: user.email, name: user.name, status: user.status } } },
      ctx.meta,
    ),
  ]);
  if (!deleted.meta.changes) throw new AppError("user_not_found");
  await destroyAccountState(env, "user", user.id);
  await deleteAvatarPrefix(env.AVATARS, user.id);
}

/** Sends a new onboarding code to a pending user (the previous one dies); 429 resend_too_soon inside the cooldown. */
export async function resendOnboarding(
  env: Env,
  db: Db,
  input: { auth_user_id?: string | undefined; email?: string | undefined; site_key?: string | undefined },
  ctx: AdminContext,
): Promise<void> {
  let user: UserRow | null;
  if (input.auth_user_id) user = await requireUser(db, input.auth_user_id);
  else {
    const email = normaliseEmail(input.email);
    user = email ? await findUserByEmail(db, email) : null;
    if (!user) throw new AppError("user_not_found");
  }
  if (user.status !== "pending") throw new AppError("conflict", { message: "Only pending users can be sent an onboarding code." });
  const event = { actor: { type: "admin" as const, id: ctx.adminId }, action: "user.onboarding_resend", target: { type: "user", id: user.id }, siteKey: input.site_key ?? null };
  try {
    await sendOnboardingCode(env, user, { siteKey: input.site_key ?? null, enforceCooldown: true, request: ctx.meta, now: ctx.now });
  } catch (err) {
    if (err instanceof AppError && err.code === "resend_too_soon") await recordAudit(db, { ...event, outcome: "denied", details: { reason: "cooldown" } }, ctx.meta);
    throw err;
  }
  await recordAudit(db, event, ctx.meta);
}
