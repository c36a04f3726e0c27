import type { Ctx } from "../../context";
import { AppError } from "../../lib/errors";
import type { UserRow } from "../../store/users";
import { auditStatement, auditStatementIfChanged } from "../audit/record";
import { destroyAccountState, refreshIdentity, revokeAllSessions, userPrincipal } from "../sessions/sessions";
import { type Identity, toIdentity } from "./identity";
import { requireUser } from "./registry";

// Ending an account's use: disabling (reversible: user_update status active) and deleting.

/** Disables a user: sessions end at once; their API keys stop verifying (owner inactive). */
export async function disableUser(ctx: Ctx, adminId: string, userId: string): Promise<Identity> {
  const user = await requireUser(ctx, userId);
  const updated: UserRow = user.status === "disabled" ? user : { ...user, status: "disabled", updatedAt: ctx.now };
  const details = { changed: user.status === "disabled" ? [] : ["status"], before: { status: user.status }, after: { status: "disabled" }, sessions_revoked: true };
  const identity = toIdentity(updated, ctx.config.publicBaseUrl);
  // The sessions end first: if the write below fails, the user is signed out but not yet disabled (a
  // retry finishes it); never disabled with sessions still alive.
  await refreshIdentity(ctx, userPrincipal(user.id), identity);
  await revokeAllSessions(ctx, userPrincipal(user.id));
  await ctx.store.batch([
    ctx.store.users.update(user.id, { status: updated.status, updatedAt: updated.updatedAt }),
    auditStatement(ctx, { actor: { type: "admin", id: adminId }, action: "user.disable", target: { type: "user", id: user.id }, details }),
  ]);
  return identity;
}

/**
 * Deletes a user: the D1 row (their API keys go with it by foreign-key cascade), their avatar
 * objects and their Durable Object state (sessions end at once). Audit rows about them stay.
 */
export async function deleteUser(ctx: Ctx, adminId: string, userId: string): Promise<void> {
  const user = await requireUser(ctx, userId);
  // Parallel deletes: only the request whose DELETE removed the row audits it; the others answer 404.
  const [deleted] = await ctx.store.batch([
    ctx.store.users.delete(user.id),
    auditStatementIfChanged(ctx, {
      actor: { type: "admin", id: adminId },
      action: "user.delete",
      target: { type: "user", id: user.id },
      details: { before: { email: user.email, name: user.name, status: user.status } },
    }),
  ]);
  if (!deleted.meta.changes) throw new AppError("user_not_found");
  await destroyAccountState(ctx, userPrincipal(user.id));
  await ctx.store.avatars.deleteAll(user.id);
}
