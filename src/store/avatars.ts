// R2 (AVATARS) object names for user avatars: `avatars/<auth_user_id>/<avatar_key>`.

export function avatarObjectName(userId: string, avatarKey: string): string {
  return `avatars/${userId}/${avatarKey}`;
}

/** Deletes every avatar object of a user (the current one and any left over from earlier uploads). */
export async function deleteUserAvatars(bucket: R2Bucket, userId: string, avatarKey: string | null): Promise<number> {
  const names = new Set<string>();
  if (avatarKey) {
    names.add(avatarObjectName(userId, avatarKey));
    names.add(avatarKey); // a key stored as a full object name
  }
  let cursor: string | undefined;
  do {
    const listed = await bucket.list({ prefix: `avatars/${userId}/`, cursor });
    for (const obj of listed.objects) names.add(obj.key);
    cursor = listed.truncated ? listed.cursor : undefined;
  } while (cursor);
  if (names.size) await bucket.delete([...names]);
  return names.size;
}
