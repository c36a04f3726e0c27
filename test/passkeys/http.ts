import { env } from "cloudflare:test";
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from "@simplewebauthn/server";
import type { SitePolicy } from "../../src/lib/site-policy";
import type { UserRow } from "../../src/store/users";
import { auditRows, call, createSite, freshIp, json } from "../helpers";
import { PASSWORD, seedPasswordUser } from "../login/helpers";
import { type CeremonyOverrides, SoftAuthenticator, type SoftAuthenticatorOptions } from "./soft-authenticator";

// Passkeys through HTTP, the way a client app drives them: sign in with a password (a fresh proof),
// register a passkey with the software authenticator, sign in with it. The suite's Auth2 answers on
// https://auth.test, which is also its RP ID and the origin the authenticator signs for.

export const ORIGIN = "https://auth.test";
let sites = 0;

const headers = (token?: string, extra: Record<string, string> = {}) => ({ "CF-Connecting-IP": freshIp(), ...(token ? { Authorization: `Bearer ${token}` } : {}), ...extra });

/** A registered site with its own key (policy as given: e.g. twofa_mode, passkey_mode). */
export async function passkeySite(policy: Partial<SitePolicy> = {}, options: { allowed_origins?: string[]; status?: "active" | "inactive" } = {}): Promise<string> {
  const key = `pk-site-${++sites}-${crypto.randomUUID().slice(0, 6)}`;
  await createSite(key, { policy, ...options });
  return key;
}

export async function passwordLogin(siteKey: string, email: string, password = PASSWORD) {
  const res = await call("/api/auth_login", { json: { site_key: siteKey, email, password }, headers: headers() });
  return { res, body: await json(res) };
}

/** A password user signed in on `siteKey` (the session's proof is now). */
export async function signedInUser(siteKey: string, overrides: Partial<UserRow> = {}): Promise<{ user: UserRow; token: string }> {
  const user = await seedPasswordUser(overrides);
  const { res, body } = await passwordLogin(siteKey, user.email);
  if (res.status !== 200 || body.status !== "authenticated") throw new Error(`login: ${res.status} ${JSON.stringify(body)}`);
  return { user, token: body.session.token as string };
}

export function staffPost(path: string, token: string, body: unknown = {}, siteKey?: string) {
  return call(path, { json: body, headers: headers(token, siteKey ? { "X-Site-Key": siteKey } : {}) });
}

export function staffGet(path: string, token: string) {
  return call(path, { headers: headers(token) });
}

export async function registerOptions(token: string) {
  const res = await staffPost("/api/auth_passkey_register_options", token);
  return { res, body: await json(res) };
}

export async function registerVerify(token: string, credential: RegistrationResponseJSON | unknown, name?: string) {
  const res = await staffPost("/api/auth_passkey_register_verify", token, name === undefined ? { credential } : { credential, name });
  return { res, body: await json(res) };
}

/** Options → authenticator → verify; throws unless the passkey was stored. Returns its id. */
export async function addPasskey(token: string, authenticator: SoftAuthenticator, overrides: CeremonyOverrides = {}, name?: string): Promise<string> {
  const options = await registerOptions(token);
  if (options.res.status !== 200) throw new Error(`register options: ${options.res.status} ${JSON.stringify(options.body)}`);
  const credential = await authenticator.register(options.body.options, { origin: ORIGIN, ...overrides });
  const verified = await registerVerify(token, credential, name);
  if (verified.res.status !== 200) throw new Error(`register verify: ${verified.res.status} ${JSON.stringify(verified.body)}`);
  return verified.body.passkey.id as string;
}

/** A signed-in password user with one passkey on `siteKey`. */
export async function userWithPasskey(siteKey: string, options: SoftAuthenticatorOptions = {}) {
  const { user, token } = await signedInUser(siteKey);
  const authenticator = new SoftAuthenticator(options);
  const passkeyId = await addPasskey(token, authenticator);
  return { user, token, authenticator, passkeyId };
}

export async function loginOptions(siteKey: string, email?: string, extraHeaders: Record<string, string> = {}) {
  const res = await call("/api/auth_passkey_login_options", { json: email === undefined ? { site_key: siteKey } : { site_key: siteKey, email }, headers: headers(undefined, extraHeaders) });
  return { res, body: await json(res) };
}

export async function loginVerify(siteKey: string, credential: AuthenticationResponseJSON | unknown) {
  const res = await call("/api/auth_passkey_login_verify", { json: { site_key: siteKey, credential }, headers: headers() });
  return { res, body: await json(res) };
}

/** Options (discoverable, or for `email`) → the authenticator's assertion. */
export async function assertion(siteKey: string, authenticator: SoftAuthenticator, overrides: CeremonyOverrides = {}, email?: string): Promise<AuthenticationResponseJSON> {
  const options = await loginOptions(siteKey, email);
  if (options.res.status !== 200) throw new Error(`login options: ${options.res.status} ${JSON.stringify(options.body)}`);
  return authenticator.authenticate(options.body.options, { origin: ORIGIN, ...overrides });
}

/** A whole passkey sign-in. */
export async function passkeyLogin(siteKey: string, authenticator: SoftAuthenticator, overrides: CeremonyOverrides = {}, email?: string) {
  return loginVerify(siteKey, await assertion(siteKey, authenticator, overrides, email));
}

export async function me(token: string) {
  const res = await call("/api/auth_me", { headers: headers(token) });
  return { res, body: await json(res) };
}

/** The audit rows of one action (about one target), oldest first: test/helpers.ts auditRows with an exact match. */
export function auditOf(action: string, targetId?: string) {
  return auditRows(targetId ? `action = '${action}' AND target_id = '${targetId}'` : `action = '${action}'`);
}

export async function passkeyRows(userId: string) {
  return (await env.DB.prepare("SELECT * FROM passkeys WHERE user_id = ? ORDER BY created_at, id").bind(userId).all<Record<string, unknown>>()).results;
}
