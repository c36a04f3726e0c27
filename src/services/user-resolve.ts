import { AppError } from "../lib/errors";
import { normaliseEmail } from "../lib/email";
import type { Db } from "../store/db";
import { type UserRow, findUserByEmail, findUserById } from "../store/users";

/** How a backend names a user: exactly one of auth_user_id or email (empty strings count as absent). */
export interface UserReference {
  auth_user_id?: string | undefined;
  email?: string | undefined;
}

/**
 * Finds a user by auth_user_id or by email (normalised the way it is stored). Neither or both given
 * → 400; no such user → 404 user_not_found. One indexed read.
 */
export async function resolveUserReference(db: Db, ref: UserReference): Promise<UserRow> {
  const id = ref.auth_user_id?.trim() || undefined;
  const rawEmail = ref.email?.trim() || undefined;
  if ((id === undefined) === (rawEmail === undefined)) {
    const message = "Give exactly one of auth_user_id or email.";
    throw new AppError("invalid_request", { message, fields: { auth_user_id: message, email: message } });
  }
  let user: UserRow | null;
  if (id !== undefined) {
    user = id.length <= 128 ? await findUserById(db, id) : null;
  } else {
    const email = normaliseEmail(rawEmail);
    if (!email) throw new AppError("invalid_request", { fields: { email: "Not a valid email address" } });
    user = await findUserByEmail(db, email);
  }
  if (!user) throw new AppError("user_not_found");
  return user;
}
