import type { Ctx } from "../../context";
import { fromBase64 } from "../../crypto/encoding";
import { generateId } from "../../crypto/random";
import { AppError } from "../../lib/errors";
import { type ImageType, readImageInfo } from "../../lib/image-info";
import { auditStatement } from "../audit/record";
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
export async function replaceAvatar(ctx: Ctx, userId: string, bytes: Uint8Array): Promise<Identity> {
  if (bytes.byteLength > AVATAR_MAX_BYTES) throw new AppError("payload_too_large", { message: "The image is larger than 1 MiB." });
  const info = readImageInfo(bytes);
  if (!info) throw new AppError("unsupported_image");
  if (info.width > AVATAR_MAX_DIMENSION || info.height > AVATAR_MAX_DIMENSION) {
    throw new AppError("image_too_large", { extra: { width: info.width, height: info.height, max: AVATAR_MAX_DIMENSION } });
  }
  const current = await ctx.store.users.findById(userId);
  if (!current || current.status !== "active") throw new AppError("unauthenticated");
  const avatarKey = generateId(16);
  await ctx.store.avatars.put(userId, avatarKey, bytes, info.type);
  try {
    await ctx.store.batch([
      ctx.store.users.update(userId, { avatarKey, updatedAt: ctx.now }),
      auditStatement(ctx, {
        actor: { type: "user", id: userId },
        action: "profile.avatar",
        target: { type: "user", id: userId },
        details: { type: info.type, width: info.width, height: info.height, bytes: bytes.byteLength },
      }),
    ]);
  } catch (err) {
    await ctx.store.avatars.delete(userId, avatarKey).catch(() => undefined);
    throw err;
  }
  if (current.avatarKey && current.avatarKey !== avatarKey) {
    // The row no longer points at it; a failed delete only leaves an unreachable object behind.
    await ctx.store.avatars.delete(userId, current.avatarKey).catch((err: unknown) =>
      console.error(JSON.stringify({ level: "warn", kind: "avatar_delete", request_id: ctx.meta.requestId, message: err instanceof Error ? err.message : "failed" })),
    );
  }
  return publishIdentity(ctx, userId, current);
}

/** The stored avatar object, or null when the user id or key is malformed or nothing is stored there. */
export async function readAvatar(ctx: Ctx, userId: string, avatarKey: string, onlyIf?: Headers) {
  if (!AVATAR_KEY_PATTERN.test(avatarKey) || userId.length < 1 || userId.length > 128) return null;
  return ctx.store.avatars.get(userId, avatarKey, onlyIf);
}
