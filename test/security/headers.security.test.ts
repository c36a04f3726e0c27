import { beforeAll, describe, expect, it } from "vitest";
import { call, createSite } from "../helpers";
import { concretePath, freshIp, listOperations, openApiDocument, principal, type Operation } from "./fixtures";

// Response headers on every operation of the document (and on errors and 404s): HSTS, nosniff, no
// framing, no-store on /api, CORS that never reflects a stranger or `null`, cookie attributes, and a
// CSP on every HTML page.

let operations: Operation[];
const EVIL = ["https://evil.example", "null", "https://auth.test.evil.example", "http://auth.test", "https://app.test"];

beforeAll(async () => {
  operations = listOperations(await openApiDocument());
  // A site that allows one origin: the others must still never be reflected.
  await createSite("corsite", { allowed_origins: ["https://app.test"] });
});

function expectBaseline(res: Response, path: string, label: string) {
  const h = res.headers;
  const hsts = /max-age=(\d+)/.exec(h.get("Strict-Transport-Security") ?? "");
  expect(Number(hsts?.[1] ?? 0), `${label} HSTS`).toBeGreaterThanOrEqual(15_552_000);
  expect(h.get("Strict-Transport-Security"), label).toContain("includeSubDomains");
  expect(h.get("X-Content-Type-Options"), label).toBe("nosniff");
  expect(h.get("Content-Security-Policy") ?? "", `${label} frame-ancestors`).toMatch(/frame-ancestors 'none'/);
  expect(h.get("X-Frame-Options"), label).toBe("DENY");
  expect(h.get("X-Request-Id"), label).toBeTruthy();
  if (path.startsWith("/api/") && !path.startsWith("/api/avatars/") && path !== "/api/openapi.json") {
    expect(h.get("Cache-Control") ?? "", `${label} no-store`).toContain("no-store");
  }
  const type = h.get("Content-Type") ?? "";
  if (type.startsWith("text/html")) {
    const csp = h.get("Content-Security-Policy") ?? "";
    expect(csp, `${label} CSP on HTML`).toMatch(/default-src 'self'|default-src 'none'/);
    expect(csp, label).not.toMatch(/'unsafe-eval'/);
    expect(csp, label).toMatch(/script-src 'self'|script-src 'none'|default-src 'none'/);
  }
}

function expectNoCorsGrant(res: Response, origin: string, label: string) {
  const allow = res.headers.get("Access-Control-Allow-Origin");
  expect(allow === origin || allow === "*" || allow === "null", `${label}: Access-Control-Allow-Origin ${allow} for ${origin}`).toBe(false);
  if (allow === null) expect(res.headers.get("Access-Control-Allow-Credentials"), label).toBeNull();
}

describe("security headers on every operation", () => {
  it("HSTS, nosniff, frame-ancestors, no-store on /api, CSP on HTML — for success and error answers", async () => {
    const p = await principal();
    for (const o of operations) {
      const path = concretePath(o.path);
      for (const headers of [{}, { Authorization: `Bearer ${p.session}` }] as Record<string, string>[]) {
        const res = await call(path, { method: o.method, json: o.method === "GET" ? undefined : {}, headers: { ...headers, "CF-Connecting-IP": freshIp() } });
        expectBaseline(res, path, `${o.method} ${o.path} → ${res.status}`);
        await res.body?.cancel();
      }
    }
    for (const path of ["/nowhere", "/api/nowhere", "/api/openapi.json", "/admin/", "/api/auth_me.php"]) {
      const res = await call(path);
      expectBaseline(res, path, `GET ${path} → ${res.status}`);
      await res.body?.cancel();
    }
  });

  it("the HTML pages (/docs, /docs/reference, /admin/ when served) carry a strict CSP", async () => {
    for (const path of ["/docs", "/docs/reference", "/admin/"]) {
      const res = await call(path);
      if (path === "/admin/" && res.status === 404) continue; // the console is not part of this build
      expect(res.status, path).toBe(200);
      expect(res.headers.get("Content-Type"), path).toMatch(/^text\/html/);
      const csp = res.headers.get("Content-Security-Policy") ?? "";
      expect(csp, path).toMatch(/default-src 'self'/);
      expect(csp, path).toMatch(/frame-ancestors 'none'/);
      expect(csp, path).toMatch(/object-src 'none'/);
      expect(csp, path).not.toMatch(/'unsafe-inline'|'unsafe-eval'/);
    }
  });
});

describe("CORS never reflects an arbitrary origin, never allows null", () => {
  it("simple requests and preflights on every operation, with and without a site", async () => {
    for (const o of operations) {
      const path = concretePath(o.path);
      for (const origin of EVIL.filter((e) => e !== "https://app.test")) {
        for (const site of ["demo", "corsite"]) {
          const label = `${o.method} ${o.path} from ${origin} (${site})`;
          const res = await call(path, {
            method: o.method,
            json: o.method === "GET" ? undefined : { site_key: site },
            headers: { Origin: origin, "X-Site-Key": site, "CF-Connecting-IP": freshIp() },
          });
          expectNoCorsGrant(res, origin, label);
          await res.body?.cancel();
          const pre = await call(path, {
            method: "OPTIONS",
            headers: { Origin: origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type, authorization", "X-Site-Key": site },
          });
          expect(pre.status, `${label} preflight`).toBeLessThan(500);
          expectNoCorsGrant(pre, origin, `${label} preflight`);
          await pre.body?.cancel();
        }
      }
    }
  });

  // Staff routes serve the site's own browser pages (profile, API keys), so app CORS covers them.
  it("service, admin and operations routes grant no origin at all, even a site's allowed one", async () => {
    for (const o of operations.filter((x) => ["Service", "Admin", "Operations"].includes(x.tag))) {
      const res = await call(concretePath(o.path), {
        method: o.method,
        json: o.method === "GET" ? undefined : { site_key: "corsite" },
        headers: { Origin: "https://app.test", "X-Site-Key": "corsite" },
      });
      expectNoCorsGrant(res, "https://app.test", `${o.method} ${o.path}`);
      await res.body?.cancel();
    }
  });
});

/** Every Set-Cookie: __Host- prefixed, Secure, HttpOnly, SameSite Lax/Strict, Path=/, no Domain. */
export function expectCookieAttributes(res: Response, label: string): number {
  const cookies = res.headers.getSetCookie();
  for (const cookie of cookies) {
    const [pair, ...attrs] = cookie.split(";").map((s) => s.trim());
    const names = attrs.map((a) => a.split("=")[0]!.toLowerCase());
    expect(pair, `${label}: ${cookie}`).toMatch(/^__Host-/);
    expect(names, `${label}: ${cookie}`).toContain("secure");
    expect(names, `${label}: ${cookie}`).toContain("httponly");
    expect(attrs.some((a) => /^samesite=(lax|strict)$/i.test(a)), `${label}: ${cookie}`).toBe(true);
    expect(attrs.some((a) => /^path=\/$/i.test(a)), `${label}: ${cookie}`).toBe(true);
    expect(names, `${label}: ${cookie}`).not.toContain("domain");
  }
  return cookies.length;
}

describe("cookies", () => {
  it("every cookie any operation sets (sign-in, logout, admin) is __Host-, Secure, HttpOnly, SameSite, Path=/", async () => {
    let seen = 0;
    for (const o of operations) {
      const p = await principal();
      const res = await call(concretePath(o.path), {
        method: o.method,
        json: o.method === "GET" ? undefined : {},
        headers: { Authorization: `Bearer ${p.session}`, Cookie: `__Host-auth2_session=${p.session}`, "CF-Connecting-IP": freshIp() },
      });
      seen += expectCookieAttributes(res, `${o.method} ${o.path}`);
      await res.body?.cancel();
    }
    expect(seen, "logout clears the session cookie, so at least one cookie was checked").toBeGreaterThan(0);
  });
});
