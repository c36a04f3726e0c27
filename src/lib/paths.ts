/**
 * One canonical path per API route: `.php` suffix dropped, trailing slashes dropped, lower-cased.
 * `/api/auth_login.php`, `/API/Auth_Login/` and `/api/auth_login` are the same route, so they share
 * one handler and the same rate limits.
 */
export function canonicalPath(pathname: string): string {
  if (!/^\/api(\/|$)/i.test(pathname)) return pathname;
  let path = pathname.toLowerCase().replace(/\/+$/, "");
  if (path.endsWith(".php")) path = path.slice(0, -4);
  return path || "/api";
}
