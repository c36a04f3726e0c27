import type { Env } from "../env";
import { generateId } from "../crypto/random";
import { fromBase64 } from "../crypto/encoding";
import { AppError } from "../lib/errors";
import { type ImageType, readImageInfo } from "../lib/image-info";
import type { RequestMeta } from "../lib/types";
import { deleteAvatarObject, deleteAvatarPrefix, getAvatarObject, putAvatarObject } from "../store/avatars";
import { createDb } from "../store/db";
import { findUserById, updateUser } from "../store/users";
import { auditStatement } from "./audit";
import type { Identity } from "./identity";
import { publishIdentity } from "./profile";

export const AVATAR_MAX_BYTES = 1024 * 1024;
export const AVATAR_MAX_DIMENSION = 1024;
/** The upload body cap: a 1 MiB image as a base64 data URL is ~1.37 MiB; multipart adds a little. */
export const AVATAR_BODY_LIMIT = 1_500_000;
export const AVATAR_KEY_PATTERN = /^[0-9a-f]{32}$/;
export const AVATAR_TYPES: readonly ImageType[] = ["image/png", "image/jpeg", "image/webp"];

/** `data:<anything>;base64,<payload>` → bytes. The declared type is ignored: only magic bytes count. */
export function decodeDataUrl(value: string): Uint8Array {
  const m = /^data:[^,;]*(?:;[^,;]*)*;base64,([A-Za-z0-9+/=\s_-]*)$/i.exec(value.trim());
  if (!m) throw new AppError("invalid_request", { fields: { image: "A base64 data URL (data:image/png;base64,…)" } });
  const payload = m[1]!.replace(/\s+/g, "");
  if (payload.length > Math.ceil((AVATAR_MAX_BYTES * 4) / 3) + 4) throw new AppError("payload_too_large");
  try {
    return fromBase64(payload);
  } catch {
    throw new AppError("invalid_request", { fields: { image: "Not valid base64" } });
  }
}

/**
 * Replaces the user's avatar: checks size, type (magic bytes) and dimensions, stores the image
 * under a new random key, points the user at it, deletes the old object and refreshes the identity
 * snapshot. Returns the canonical user with the new avatar_url.
 */
export async function replaceAvatar(env: Env, publicBaseUrl: string, userId: string, bytes: Uint8Array, meta: RequestMeta, now = Date.now()): Promise<Identity> {
  if (bytes.byteLength > AVATAR_MAX_BYTES) throw new AppError("payload_too_large", { message: "The image is larger than 1 MiB." });
  const info = readImageInfo(bytes);
  if (!info) throw new AppError("unsupported_image");
  if (info.width > AVATAR_MAX_DIMENSION || info.height > AVATAR_MAX_DIMENSION) {
    throw new AppError("image_too_large", { extra: { width: info.width, height: info.height, max: AVATAR_MAX_DIMENSION } });
  }
  const db = createDb(env.DB);
  const current = await findUserById(db, userId);
  if (!current || current.status !== "active") throw new AppError("unauthenticated");
  const avatarKey = generateId(16);
  await putAvatarObject(env.AVATARS, userId, avatarKey, bytes, info.type);
  try {
    await db.batch([
      updateUser(db, userId, { avatarKey, updatedAt: now }),
      auditStatement(
        db,
        { actor: { type: "user", id: userId }, action: "profile.avatar", target: { type: "user", id: userId }, details: { type: info.type, width: info.width, height: info.height, bytes: bytes.byteLength } },
        meta,
      ),
    ]);
  } catch (err) {
    await deleteAvatarObject(env.AVATARS, userId, avatarKey).catch(() => undefined);
    throw err;
  }
  if (current.avatarKey && current.avatarKey !== avatarKey) {
    // The row no longer points at it; a failed delete only leaves an unreachable object behind.
    await deleteAvatarObject(env.AVATARS, userId, current.avatarKey).catch((err: unknown) =>
      console.error(JSON.stringify({ level: "warn", kind: "avatar_delete", request_id: meta.requestId, message: err instanceof Error ? err.message : "failed" })),
    );
  }
  return publishIdentity(env, publicBaseUrl, userId, current);
}

/** The stored avatar object, or null when the user id or key is malformed or nothing is stored there. */
export async function readAvatar(env: Env, userId: string, avatarKey: string, onlyIf?: Headers) {
  if (!AVATAR_KEY_PATTERN.test(avatarKey) || userId.length < 1 || userId.length > 128) return null;
  return getAvatarObject(env.AVATARS, userId, avatarKey, onlyIf);
}

/** Removes every stored avatar of a user (for account deletion; the caller clears users.avatar_key or the row). */
export async function deleteUserAvatars(env: Env, userId: string): Promise<number> {
  return deleteAvatarPrefix(env.AVATARS, userId);
}
