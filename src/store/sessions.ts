import type { Env } from "../env";
import type { IdentitySnapshot, NewSession, SessionRow } from "../durable/session-table";
import type { SessionCheck } from "../durable/user-state";

// Sessions, identity snapshots and TOTP state live in the account's UserState Durable Object:
// users under `idFromName(<auth_user_id>)`, admins under `idFromName("admin:<admin id>")`, so a user
// token can never reach an admin's object.

export type PrincipalKind = "user" | "admin";

export interface Principal {
  kind: PrincipalKind;
  id: string;
}

/** The UserState object name of a principal. */
export function accountObjectName(principal: Principal): string {
  return principal.kind === "admin" ? `admin:${principal.id}` : principal.id;
}

function stubOf(env: Env, principal: Principal) {
  return env.USER_STATE.get(env.USER_STATE.idFromName(accountObjectName(principal)));
}

export interface SessionsStore {
  /** Stores a new session together with the identity snapshot it was issued for. */
  create(principal: Principal, session: NewSession, identity: IdentitySnapshot): Promise<void>;
  /** One call: the live session with this secret hash and the identity snapshot, or null. */
  check(principal: Principal, secretHash: string, now: number): Promise<SessionCheck | null>;
  revoke(principal: Principal, secretHash: string): Promise<boolean>;
  revokeById(principal: Principal, sessionId: string): Promise<boolean>;
  /** Ends every session (or every one but `keepId`); returns how many ended. */
  revokeAll(principal: Principal, keepId: string | null): Promise<number>;
  list(principal: Principal, now: number): Promise<SessionRow[]>;
  /** Records a new proof of a credential in session `sessionId` (its authenticated_at); false when it is gone. */
  markAuthenticated(principal: Principal, sessionId: string, now: number): Promise<boolean>;
  /** Replaces the identity snapshot session checks answer from. */
  putIdentity(principal: Principal, identity: IdentitySnapshot | null): Promise<void>;
  /** Deletes everything the account's object holds (account deleted). */
  destroy(principal: Principal): Promise<void>;
}

export interface TotpStateStore {
  /** Accepts a TOTP time step once: a code (or an earlier one) cannot be replayed. */
  acceptStep(principal: Principal, step: number): Promise<boolean>;
  /** Marks a recovery code (by hash) used; false if it was used before. */
  consumeRecoveryCode(principal: Principal, hash: string, now: number): Promise<boolean>;
  /** Forgets the replay guard and used recovery codes (TOTP disabled or re-enrolled). */
  reset(principal: Principal): Promise<void>;
}

export function createSessionsStore(env: Env): SessionsStore {
  return {
    create: (p, session, identity) => stubOf(env, p).createSession(session, identity),
    check: (p, secretHash, now) => stubOf(env, p).checkSession(secretHash, now),
    revoke: (p, secretHash) => stubOf(env, p).revokeSession(secretHash),
    revokeById: (p, id) => stubOf(env, p).revokeSessionById(id),
    revokeAll: (p, keepId) => stubOf(env, p).revokeAllSessions(keepId),
    list: (p, now) => stubOf(env, p).listSessions(now),
    markAuthenticated: (p, id, now) => stubOf(env, p).markSessionAuthenticated(id, now),
    putIdentity: (p, identity) => stubOf(env, p).putIdentity(identity),
    destroy: (p) => stubOf(env, p).destroy(),
  };
}

export function createTotpStateStore(env: Env): TotpStateStore {
  return {
    acceptStep: (p, step) => stubOf(env, p).acceptTotpStep(step),
    consumeRecoveryCode: (p, hash, now) => stubOf(env, p).consumeRecoveryCode(hash, now),
    reset: (p) => stubOf(env, p).resetTotpState(),
  };
}
