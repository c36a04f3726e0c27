import type { Ctx } from "../../context";
import { sha256Hex } from "../../crypto/hmac";
import { generateId, generateToken } from "../../crypto/random";
import type { IdentitySnapshot, SessionRow } from "../../durable/session-table";
import type { Principal, PrincipalKind } from "../../store/sessions";

export type { Principal, PrincipalKind } from "../../store/sessions";

// Session token: `<principal id>.<43-char base64url secret>`. The id part routes the token to the
// account's Durable Object without a D1 read; only SHA-256(secret) is stored there. Admin ids start
// with "adm_" and live in their own objects (store/sessions.ts), so a user token can never be an admin's.

export const USER_COOKIE = "__Host-auth2_session";
export const ADMIN_COOKIE = "__Host-auth2_admin";

const TOKEN_PATTERN = /^([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{43})$/;

export function principalKind(id: string): PrincipalKind {
  return id.startsWith("adm_") ? "admin" : "user";
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
}

export interface IssuedSession {
  token: string;
  id: string;
  expires_at: string;
  ttlSeconds: number;
}

/** Issues a brand-new session (never reuses a token a client presented). */
export async function createSession(ctx: Ctx, input: NewSessionInput): Promise<IssuedSession> {
  const secret = generateToken(32);
  const id = `ses_${generateId(12)}`;
  const expiresAt = ctx.now + input.ttlSeconds * 1000;
  await ctx.store.sessions.create(
    { kind: input.kind, id: input.principalId },
    {
      id,
      secret_hash: sha256Hex(secret),
      site_key: input.siteKey,
      created_at: ctx.now,
      last_seen_at: ctx.now,
      expires_at: expiresAt,
      idle_seconds: input.idleSeconds,
      ip: ctx.meta.ip,
      user_agent: ctx.meta.userAgent,
      factors: input.factors,
      // Every session starts right after a proof (password, code or passkey).
      authenticated_at: ctx.now,
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
export async function authenticateSession(ctx: Ctx, token: string, kind: PrincipalKind): Promise<AuthenticatedSession | null> {
  const parsed = parseSessionToken(token, kind);
  if (!parsed) return null;
  const check = await ctx.store.sessions.check({ kind, id: parsed.principalId }, parsed.secretHash, ctx.now);
  if (!check || !check.identity) return null;
  return { principalId: parsed.principalId, session: check.session, identity: check.identity };
}

/** Ends the session a token belongs to. */
export async function revokeSessionToken(ctx: Ctx, token: string, kind: PrincipalKind): Promise<boolean> {
  const parsed = parseSessionToken(token, kind);
  if (!parsed) return false;
  return ctx.store.sessions.revoke({ kind, id: parsed.principalId }, parsed.secretHash);
}

/** Ends one session by its id (e.g. a session whose sign-in could not be recorded). */
export function revokeSessionId(ctx: Ctx, principal: Principal, sessionId: string): Promise<boolean> {
  return ctx.store.sessions.revokeById(principal, sessionId);
}

/** Ends every session of an account (or all but `keepSessionId`). Effective on the very next request. */
export function revokeAllSessions(ctx: Ctx, principal: Principal, keepSessionId: string | null = null): Promise<number> {
  return ctx.store.sessions.revokeAll(principal, keepSessionId);
}

/**
 * Refreshes the identity snapshot session checks answer from. Call after every change to the
 * account's row; a status other than active makes every session fail on its next check.
 */
export async function refreshIdentity(ctx: Ctx, principal: Principal, identity: IdentitySnapshot): Promise<void> {
  await ctx.store.sessions.putIdentity(principal, identity);
}

/** Deletes everything the account's object holds (account deleted): sessions end at once. */
export async function destroyAccountState(ctx: Ctx, principal: Principal): Promise<void> {
  await ctx.store.sessions.destroy(principal);
}

/** The user principal of an auth_user_id. */
export const userPrincipal = (id: string): Principal => ({ kind: "user", id });
