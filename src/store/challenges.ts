import type { Env } from "../env";
import type { AttemptOutcome } from "../durable/challenge-table";
import { emailDigest } from "../crypto/email-digest";
import { shardStub } from "./limits";

// Challenges. The record lives in KV under `challenge:<id>` where id = SHA-256 of the challenge token,
// so KV never holds a usable token; values hold only HMACs of codes; TTL ≥ 60 s (KV's minimum).
// Flows that find a challenge by email + code also keep the pointer
// `challenge-ref:<purpose>:<hmac(email)>` → id. Attempts, single use and supersession are decided in
// the challenge owner's Limiter shard (never in KV, which is eventually consistent). Owners: the
// auth_user_id, "admin:<id>", or "ghost:<hmac(email)>" for an address nobody can sign in with.

export interface ChallengeRecord {
  id: string;
  purpose: string;
  /** The account attempts count against (see above). */
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

const recordKey = (id: string) => `challenge:${id}`;
const refKey = (purpose: string, emailHmac: string) => `challenge-ref:${purpose}:${emailHmac}`;

export interface ChallengesStore {
  /** The owner name of an address nobody can sign in with: counted like a real account. */
  ghostOwner(email: string): string;
  /** The owner name of an admin account. */
  adminOwner(adminId: string): string;
  putRecord(record: ChallengeRecord, now: number): Promise<void>;
  getRecord(id: string): Promise<ChallengeRecord | null>;
  deleteRecord(id: string): Promise<void>;
  putRef(purpose: string, email: string, id: string, ttlSeconds: number): Promise<void>;
  getRef(purpose: string, email: string): Promise<string | null>;
  /** Removes the pointer, but only while it still points at `id` (a newer challenge keeps its own). */
  deleteRef(purpose: string, email: string, id: string): Promise<void>;
  cooldown(owner: string, purpose: string, now: number): Promise<number>;
  /** Registers a challenge; the owner's earlier open challenge of that purpose dies with it. */
  open(owner: string, id: string, purpose: string, expiresAt: number, now: number): Promise<void>;
  attempt(owner: string, id: string, purpose: string, correct: boolean, consume: boolean, now: number): Promise<AttemptOutcome>;
  isOpen(owner: string, id: string, now: number): Promise<boolean>;
  consume(owner: string, id: string): Promise<boolean>;
}

export function createChallengesStore(env: Env, codeKey: () => string): ChallengesStore {
  const kv = env.CHALLENGES;
  const digest = (email: string) => emailDigest(codeKey(), email);
  return {
    ghostOwner: (email) => `ghost:${digest(email)}`,
    adminOwner: (adminId) => `admin:${adminId}`,
    async putRecord(record, now) {
      const ttl = Math.max(60, Math.ceil((record.expires_at - now) / 1000));
      await kv.put(recordKey(record.id), JSON.stringify(record), { expirationTtl: ttl });
    },
    getRecord: (id) => kv.get<ChallengeRecord>(recordKey(id), "json"),
    async deleteRecord(id) {
      await kv.delete(recordKey(id));
    },
    async putRef(purpose, email, id, ttlSeconds) {
      await kv.put(refKey(purpose, digest(email)), id, { expirationTtl: Math.max(60, ttlSeconds) });
    },
    getRef: (purpose, email) => kv.get(refKey(purpose, digest(email))),
    async deleteRef(purpose, email, id) {
      const key = refKey(purpose, digest(email));
      if ((await kv.get(key)) === id) await kv.delete(key);
    },
    cooldown: (owner, purpose, now) => shardStub(env, owner).challengeCooldown(owner, purpose, now),
    open: (owner, id, purpose, expiresAt, now) => shardStub(env, owner).openChallenge(owner, id, purpose, expiresAt, now),
    attempt: (owner, id, purpose, correct, consume, now) => shardStub(env, owner).attemptChallenge(owner, id, purpose, correct, consume, now),
    isOpen: (owner, id, now) => shardStub(env, owner).isChallengeOpen(owner, id, now),
    consume: (owner, id) => shardStub(env, owner).consumeChallenge(owner, id),
  };
}
