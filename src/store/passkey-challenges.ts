import type { Env } from "../env";
import type { PasskeyChallengePurpose, PasskeyChallengeRow } from "../durable/passkey-challenge-table";
import { shardStub } from "./limits";

export type { PasskeyChallengePurpose, PasskeyChallengeRow };

// WebAuthn challenges live in the fixed pool of Limiter shards (store/limits.ts), where single use
// is decided for every other challenge. Which shard:
// - registration: the shard of `passkey-register:<user id>` (the user is signed in at both steps, and
//   a new registration challenge must find and replace the user's earlier one);
// - sign-in and second factor: the shard of `passkey-challenge:<challenge hash>`. The verify step
//   finds the challenge from the assertion alone (clientDataJSON.challenge): a discoverable sign-in
//   names no user before the assertion. No object is ever chosen by an address a request names.

function shardKey(purpose: PasskeyChallengePurpose, id: string, userId: string | null): string {
  if (purpose === "register") {
    if (userId === null) throw new Error("a registration challenge needs the signed-in user");
    return `passkey-register:${userId}`;
  }
  return `passkey-challenge:${id}`;
}

export interface PasskeyChallengesStore {
  /** Stores a challenge; a registration challenge replaces the user's earlier open one. */
  put(row: PasskeyChallengeRow, now: number): Promise<void>;
  /**
   * The live challenge `id` (hex SHA-256), removed in the same step; null when unknown, expired or
   * already taken. `userId`: the signed-in user for registration (it picks the shard), else ignored.
   */
  take(id: string, purpose: PasskeyChallengePurpose, userId: string | null, now: number): Promise<PasskeyChallengeRow | null>;
}

export function createPasskeyChallengesStore(env: Env): PasskeyChallengesStore {
  return {
    async put(row, now) {
      await shardStub(env, shardKey(row.purpose, row.id, row.userId)).openPasskeyChallenge(row, row.purpose === "register", now);
    },
    async take(id, purpose, userId, now) {
      return (await shardStub(env, shardKey(purpose, id, purpose === "register" ? userId : null)).takePasskeyChallenge(id, now)) ?? null;
    },
  };
}

/** The shard object name a challenge lives in (tests and docs). */
export function passkeyChallengeShardKey(purpose: PasskeyChallengePurpose, id: string, userId: string | null): string {
  return shardKey(purpose, id, userId);
}
