import type { Env } from "../env";
import { sha256Hex } from "../crypto/hmac";
import { generateId, generateToken } from "../crypto/random";
import type { IdentitySnapshot, SessionRow } from "../durable/session-table";
import type { RequestMeta } from "../lib/types";
import { userStateStub } from "./user-state";

// Session token: `<principal id>.<43-char base64url secret>`. The id part routes the token to the
// account's Durable Object without a D1 read; only SHA-256(secret) is stored there. Admin ids start
// with "adm_" and live under the object name "admin:<id>", so a user token can never be an admin's.

export type PrincipalKind = "user" | "admin";

export const USER_COOKIE = "__Host-auth2_session";
export const ADMIN_COOKIE = "__Host-auth2_admin";

const TOKEN_PATTERN = /^([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{43})$/;

export function principalKind(id: string): PrincipalKind {
  return id.startsWith("adm_") ? "admin" : "user";
}

/** The UserState object name of a principal. */
export function objectName(kind: PrincipalKind, id: string): string {
  return kind === "admin" ? `admin:${id}` : id;
}

export interface ParsedToken {
  principalId: string;
  secretHash: string;
}

export function parseSessionToken(token: string, kind: PrincipalKind): ParsedToken | null {
  const m = TOKEN_PATTERN.exec(token);
  if (!m || principalKind(m[1]!) !== kind) return null;
  return { principalId: m[1]!, secretHash: sha256Hex(m[2]!) };
}

export interface NewSessionInput {
  kind: PrincipalKind;
  principalId: string;
  siteKey: string;
  ttlSeconds: number;
  idleSeconds: number;
  factors: string[];
  identity: IdentitySnapshot;
  meta: RequestMeta;
  now: number;
}

export interface IssuedSession {
  token: string;
  id: string;
  expires_at: string;
  ttlSeconds: number;
}

/** Issues a brand-new session (never reuses a token a client presented). */
export async function createSession(env: Env, input: NewSessionInput): Promise<IssuedSession> {
  const secret = generateToken(32);
  const id = `ses_${generateId(12)}`;
  const expiresAt = input.now + input.ttlSeconds * 1000;
  await userStateStub(env, objectName(input.kind, input.principalId)).createSession(
    {
      id,
      secret_hash: sha256Hex(secret),
      site_key: input.siteKey,
      created_at: input.now,
      last_seen_at: input.now,
      expires_at: expiresAt,
      idle_seconds: input.idleSeconds,
      ip: input.meta.ip,
      user_agent: input.meta.userAgent,
      factors: input.factors,
    },
    input.identity,
  );
  return { token: `${input.principalId}.${secret}`, id, expires_at: new Date(expiresAt).toISOString(), ttlSeconds: input.ttlSeconds };
}

export interface AuthenticatedSession {
  principalId: string;
  session: SessionRow;
  identity: IdentitySnapshot;
}

/** One Durable Object call: the live session and the identity snapshot, or null. */
export async function authenticateSession(env: Env, token: string, kind: PrincipalKind, now: number): Promise<AuthenticatedSession | null> {
  const parsed = parseSessionToken(token, kind);
  if (!parsed) return null;
  const check = await userStateStub(env, objectName(kind, parsed.principalId)).checkSession(parsed.secretHash, now);
  if (!check || !check.identity) return null;
  return { principalId: parsed.principalId, session: check.session, identity: check.identity };
}

/** Ends the session a token belongs to. */
export async function revokeSessionToken(env: Env, token: string, kind: PrincipalKind): Promise<boolean> {
  const parsed = parseSessionToken(token, kind);
  if (!parsed) return false;
  return userStateStub(env, objectName(kind, parsed.principalId)).revokeSession(parsed.secretHash);
}

/** Ends one session by its id (e.g. a session whose sign-in could not be recorded). */
export async function revokeSessionId(env: Env, kind: PrincipalKind, principalId: string, sessionId: string): Promise<boolean> {
  return userStateStub(env, objectName(kind, principalId)).revokeSessionById(sessionId);
}

/** Ends every session of an account (or all but `keepSessionId`). Effective on the very next request. */
export async function revokeAllSessions(env: Env, kind: PrincipalKind, principalId: string, keepSessionId: string | null = null): Promise<number> {
  return userStateStub(env, objectName(kind, principalId)).revokeAllSessions(keepSessionId);
}

/**
 * Refreshes the identity snapshot session checks answer from. Call after every change to the
 * account's row; a status other than active makes every session fail on its next check.
 */
export async function refreshIdentity(env: Env, kind: PrincipalKind, principalId: string, identity: IdentitySnapshot): Promise<void> {
  await userStateStub(env, objectName(kind, principalId)).putIdentity(identity);
}

/** Deletes everything the account's object holds (account deleted): sessions end at once. */
export async function destroyAccountState(env: Env, kind: PrincipalKind, principalId: string): Promise<void> {
  await userStateStub(env, objectName(kind, principalId)).destroy();
}
