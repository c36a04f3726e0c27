import type { Env } from "../env";

// KV key: `challenge:<id>` where id = SHA-256 of the challenge token, so KV never holds a usable
// token. Values hold only HMACs of codes. TTL ≥ 60 s (KV's minimum).

export interface ChallengeRecord {
  id: string;
  purpose: string;
  /** Name of the UserState object that counts attempts (auth_user_id, "admin:<id>" or "ghost:<hmac>"). */
  owner: string;
  user_id: string | null;
  site_key: string;
  email: string;
  factor: string | null;
  code_hmac: string | null;
  created_at: number;
  expires_at: number;
  data: Record<string, unknown>;
}

const key = (id: string) => `challenge:${id}`;

export async function putChallenge(env: Env, record: ChallengeRecord, now: number): Promise<void> {
  const ttl = Math.max(60, Math.ceil((record.expires_at - now) / 1000));
  await env.CHALLENGES.put(key(record.id), JSON.stringify(record), { expirationTtl: ttl });
}

export async function getChallenge(env: Env, id: string): Promise<ChallengeRecord | null> {
  return env.CHALLENGES.get<ChallengeRecord>(key(id), "json");
}

export async function deleteChallenge(env: Env, id: string): Promise<void> {
  await env.CHALLENGES.delete(key(id));
}

/** Pointer `challenge-ref:<purpose>:<hmac(email)>` → challenge id, for flows that find a challenge by email + code. */
const refKey = (purpose: string, emailHmac: string) => `challenge-ref:${purpose}:${emailHmac}`;

export async function putChallengeRef(env: Env, purpose: string, emailHmac: string, id: string, ttlSeconds: number): Promise<void> {
  await env.CHALLENGES.put(refKey(purpose, emailHmac), id, { expirationTtl: Math.max(60, ttlSeconds) });
}

export async function getChallengeRef(env: Env, purpose: string, emailHmac: string): Promise<string | null> {
  return env.CHALLENGES.get(refKey(purpose, emailHmac));
}

/** Removes the pointer, but only while it still points at `id` (a newer challenge keeps its own). */
export async function deleteChallengeRef(env: Env, purpose: string, emailHmac: string, id: string): Promise<void> {
  const key = refKey(purpose, emailHmac);
  if ((await env.CHALLENGES.get(key)) === id) await env.CHALLENGES.delete(key);
}
