import type { Ctx } from "../../context";
import { AppError } from "../../lib/errors";
import { auditStatementIfChanged, recordAudit } from "../audit/record";
import { requireUser } from "../users/registry";
import { type PasskeyView, toPasskeyView } from "./views";

// The passkey list of an account: the user's own (Staff routes) and an administrator's view of any
// user's (Admin routes). Every write names the owner, so an id of another account changes nothing
// and answers 404 passkey_not_found like an unknown one. Removals are audited in the batch that
// makes them.

export async function listOwnPasskeys(ctx: Ctx, userId: string): Promise<PasskeyView[]> {
  return (await ctx.store.passkeys.listByUser(userId)).map(toPasskeyView);
}

export async function renameOwnPasskey(ctx: Ctx, input: { userId: string; siteKey: string; id: string; name: string }): Promise<PasskeyView> {
  if (!(await ctx.store.passkeys.rename({ userId: input.userId, id: input.id, name: input.name }))) throw new AppError("passkey_not_found");
  await recordAudit(ctx, { actor: { type: "user", id: input.userId }, action: "passkey.rename", target: { type: "user", id: input.userId }, siteKey: input.siteKey, details: { passkey_id: input.id } });
  const renamed = (await ctx.store.passkeys.listByUser(input.userId)).find((p) => p.id === input.id);
  if (!renamed) throw new AppError("passkey_not_found");
  return toPasskeyView(renamed);
}

export async function deleteOwnPasskey(ctx: Ctx, input: { userId: string; siteKey: string; id: string }): Promise<void> {
  const [deleted] = await ctx.store.batch([
    ctx.store.passkeys.delete({ userId: input.userId, id: input.id }),
    auditStatementIfChanged(ctx, { actor: { type: "user", id: input.userId }, action: "passkey.delete", target: { type: "user", id: input.userId }, siteKey: input.siteKey, details: { passkey_id: input.id } }),
  ]);
  if ((deleted.meta.changes ?? 0) === 0) throw new AppError("passkey_not_found");
}

/** A user's passkeys for an administrator (404 user_not_found for an unknown id). */
export async function listUserPasskeys(ctx: Ctx, userId: string): Promise<PasskeyView[]> {
  const user = await requireUser(ctx, userId);
  return listOwnPasskeys(ctx, user.id);
}

/**
 * An administrator removes one passkey (`passkey_id`) or every passkey of a user (a lost device, a
 * flagged key). Audited as user.passkeys_delete with what was removed; the account stays as it is.
 */
export async function deleteUserPasskeys(ctx: Ctx, adminId: string, input: { auth_user_id: string; passkey_id?: string | undefined }): Promise<number> {
  const user = await requireUser(ctx, input.auth_user_id);
  const one = input.passkey_id !== undefined;
  const [deleted] = await ctx.store.batch([
    one ? ctx.store.passkeys.delete({ userId: user.id, id: input.passkey_id! }) : ctx.store.passkeys.deleteAll(user.id),
    auditStatementIfChanged(ctx, {
      actor: { type: "admin", id: adminId },
      action: "user.passkeys_delete",
      target: { type: "user", id: user.id },
      details: one ? { passkey_id: input.passkey_id } : { all: true },
    }),
  ]);
  const count = deleted.meta.changes ?? 0;
  if (one && count === 0) throw new AppError("passkey_not_found");
  return count;
}
