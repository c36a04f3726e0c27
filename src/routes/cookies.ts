import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import type { AppEnv } from "../middleware/app-env";
import { ADMIN_COOKIE, type PrincipalKind, USER_COOKIE } from "../services/sessions/sessions";

/** Sets the session cookie: __Host- prefix (Secure, Path=/, no Domain), HttpOnly, SameSite=Lax. */
export function setSessionCookie(c: Context<AppEnv>, kind: PrincipalKind, token: string, maxAgeSeconds: number): void {
  setCookie(c, kind === "admin" ? ADMIN_COOKIE : USER_COOKIE, token, {
    path: "/",
    secure: true,
    httpOnly: true,
    sameSite: kind === "admin" ? "Strict" : "Lax",
    maxAge: maxAgeSeconds,
  });
}

/** Clears it with the same attributes it was set with (a bare deletion would drop HttpOnly and SameSite). */
export function clearSessionCookie(c: Context<AppEnv>, kind: PrincipalKind): void {
  deleteCookie(c, kind === "admin" ? ADMIN_COOKIE : USER_COOKIE, {
    path: "/",
    secure: true,
    httpOnly: true,
    sameSite: kind === "admin" ? "Strict" : "Lax",
  });
}
