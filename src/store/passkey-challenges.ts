import type { PasskeyChallengeRow } from "../durable/passkey-challenge-table";
import type { UserState } from "../durable/user-state";

export type { PasskeyChallengeRow };

/**
 * Where WebAuthn challenges live and are used up. `owner` names the Durable Object that decides
 * single use (services/passkeys/challenges.ts passkeyChallengeOwner picks it).
 */
export interface PasskeyChallengeStorage {
  put(owner: string, row: PasskeyChallengeRow, options: { replaceOpen: boolean; now: number }): Promise<void>;
  /** The live row, removed in the same step; null when unknown, expired or already taken. */
  take(owner: string, id: string, now: number): Promise<PasskeyChallengeRow | null>;
}

/** The storage on UserState objects (`idFromName(owner)`), the namespace passed in by the caller. */
export function createPasskeyChallengeStorage(userState: DurableObjectNamespace<UserState>): PasskeyChallengeStorage {
  const stub = (owner: string) => userState.get(userState.idFromName(owner));
  return {
    async put(owner, row, { replaceOpen, now }) {
      await stub(owner).openPasskeyChallenge(row, replaceOpen, now);
    },
    async take(owner, id, now) {
      return (await stub(owner).takePasskeyChallenge(id, now)) ?? null;
    },
  };
}
