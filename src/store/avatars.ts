// R2 layout of the AVATARS bucket: `avatars/<auth_user_id lower-cased>/<avatar_key>`. The key is random
// per upload, so a URL never changes meaning and can be cached for a year.

/** Request paths are lower-cased (lib/paths.ts), so the object name uses the lower-cased user id too. */
export function avatarObjectName(userId: string, avatarKey: string): string {
  return `avatars/${userId.toLowerCase()}/${avatarKey}`;
}

export async function putAvatarObject(bucket: R2Bucket, userId: string, avatarKey: string, bytes: Uint8Array, contentType: string): Promise<void> {
  await bucket.put(avatarObjectName(userId, avatarKey), bytes, { httpMetadata: { contentType } });
}

export function getAvatarObject(bucket: R2Bucket, userId: string, avatarKey: string, onlyIf?: R2Conditional | Headers) {
  return bucket.get(avatarObjectName(userId, avatarKey), onlyIf ? { onlyIf } : undefined);
}

export async function deleteAvatarObject(bucket: R2Bucket, userId: string, avatarKey: string): Promise<void> {
  await bucket.delete(avatarObjectName(userId, avatarKey));
}

/** Deletes every object under the user's prefix (account deleted); returns how many went. */
export async function deleteAvatarPrefix(bucket: R2Bucket, userId: string): Promise<number> {
  const prefix = `avatars/${userId.toLowerCase()}/`;
  let deleted = 0;
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix, cursor });
    const keys = page.objects.map((o) => o.key);
    if (keys.length) await bucket.delete(keys);
    deleted += keys.length;
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return deleted;
}

export interface AvatarsStore {
  put(userId: string, avatarKey: string, bytes: Uint8Array, contentType: string): Promise<void>;
  get(userId: string, avatarKey: string, onlyIf?: R2Conditional | Headers): ReturnType<typeof getAvatarObject>;
  delete(userId: string, avatarKey: string): Promise<void>;
  /** Deletes every object of a user (account deleted); returns how many went. */
  deleteAll(userId: string): Promise<number>;
}

export function createAvatarsStore(bucket: R2Bucket): AvatarsStore {
  return {
    put: (userId, key, bytes, type) => putAvatarObject(bucket, userId, key, bytes, type),
    get: (userId, key, onlyIf) => getAvatarObject(bucket, userId, key, onlyIf),
    delete: (userId, key) => deleteAvatarObject(bucket, userId, key),
    deleteAll: (userId) => deleteAvatarPrefix(bucket, userId),
  };
}
