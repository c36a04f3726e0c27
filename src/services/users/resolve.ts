import type { Ctx } from "../../context";
import { normaliseEmail } from "../../lib/email";
import { AppError } from "../../lib/errors";
import type { Read } from "../../store";
import type { IdentityRow } from "../../store/users";

/** How a backend names a user: exactly one of auth_user_id or email (empty strings count as absent). */
export interface UserReference {
  auth_user_id?: string | undefined;
  email?: string | undefined;
}

/**
 * The read that finds a user by auth_user_id or by email (normalised the way it is stored): one
 * indexed read. Neither or both given, or an email that is not one → 400 (thrown here, before any
 * read).
 */
export function userReferenceLookup(ctx: Ctx, ref: UserReference): Read<IdentityRow> | null {
  const id = ref.auth_user_id?.trim() || undefined;
  const rawEmail = ref.email?.trim() || undefined;
  if ((id === undefined) === (rawEmail === undefined)) {
    const message = "Give exactly one of auth_user_id or email.";
    throw new AppError("invalid_request", { message, fields: { auth_user_id: message, email: message } });
  }
  if (id !== undefined) return id.length <= 128 ? ctx.store.users.byIdRead(id) : null;
  const email = normaliseEmail(rawEmail);
  if (!email) throw new AppError("invalid_request", { fields: { email: "Not a valid email address" } });
  return ctx.store.users.byEmailRead(email);
}

/** How a reference named the user (for audit rows). */
export function referenceKind(ref: UserReference): "id" | "email" {
  return ref.auth_user_id?.trim() ? "id" : "email";
}
