import { describe, expect, it } from "vitest";
import { call } from "../helpers";

/** The policy as a map: directive → sources. */
function parseCsp(header: string | null): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of (header ?? "").split(";")) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) out.set(name, sources);
  }
  return out;
}

describe("portal page headers", () => {
  for (const path of ["/docs", "/docs/reference"]) {
    it(`${path}: strict CSP, nosniff, HTML content type, no framing`, async () => {
      const res = await call(path);
      expect(res.status).toBe(200);
      expect(res.headers.get("Content-Type")).toBe("text/html; charset=UTF-8");
      expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
      expect(res.headers.get("X-Frame-Options")).toBe("DENY");
      const csp = parseCsp(res.headers.get("Content-Security-Policy"));
      expect(csp.get("default-src")).toEqual(["'self'"]);
      expect(csp.get("script-src")).toEqual(["'self'"]);
      expect(csp.get("style-src")).toEqual(["'self'"]);
      expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
      expect(csp.get("object-src")).toEqual(["'none'"]);
      expect(csp.get("base-uri")).toEqual(["'none'"]);
      const all = [...csp.values()].flat();
      for (const unsafe of ["'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:"]) expect(all).not.toContain(unsafe);
    });

    it(`${path}: no inline script, style or event handler, nothing loaded from another origin`, async () => {
      const html = await (await call(path)).text();
      for (const tag of html.match(/<script\b[^>]*>/g) ?? []) expect(tag).toMatch(/\bsrc="\/docs\//);
      expect(html).not.toMatch(/<script\b[^>]*>[^<]+<\/script>/);
      expect(html).not.toMatch(/<style\b/);
      expect(html).not.toMatch(/\sstyle="/);
      expect(html).not.toMatch(/\son[a-z]+="/);
      for (const m of html.matchAll(/\s(?:src|href)="([^"]*)"/g)) {
        const url = m[1] ?? "";
        // Links may point anywhere readers go; resources must be local (or data: for the empty favicon).
        if (m[0].includes("src=")) expect(url, url).toMatch(/^\/(?!\/)/);
      }
      for (const m of html.matchAll(/<link\b[^>]*href="([^"]*)"/g)) expect(m[1], m[1]).toMatch(/^(\/(?!\/)|data:,$)/);
    });
  }

  it("escapes text taken from the request or the document", async () => {
    const res = await call("/docs?<script>alert(1)</script>", { headers: { "X-Site-Key": "<img src=x onerror=alert(1)>" } });
    const html = await res.text();
    expect(html).not.toContain("<script>alert(1)</script>");
    expect(html).not.toContain("<img src=x");
  });

  it("answers an unknown portal asset with 404 JSON, never a file outside the list", async () => {
    for (const path of [
      "/docs/assets/nope.js",
      "/docs/assets/constructor",
      "/docs/assets/__proto__",
      "/docs/vendor/swagger-ui/index.html",
      "/docs/vendor/swagger-ui/swagger-initializer.js",
      "/docs/vendor/swagger-ui/package.json",
      "/docs/vendor/swagger-ui/..%2Fpackage.json",
      "/swagger-ui-bundle.js",
      "/index.html",
    ]) {
      const res = await call(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("Content-Type"), path).toMatch(/^application\/json/);
    }
  });
});
