import { describe, expect, it } from "vitest";
import { call } from "../helpers";

function parseCsp(header: string | null): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of (header ?? "").split(";")) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) out.set(name, sources);
  }
  return out;
}

describe("admin console page", () => {
  it("answers at /admin/ and /admin", async () => {
    for (const path of ["/admin/", "/admin"]) {
      const res = await call(path);
      expect(res.status, path).toBe(200);
      expect(await res.text(), path).toContain("<title>Auth2 admin console</title>");
    }
  });

  it("/admin/ is HTML with a strict CSP, nosniff, no framing and no-store", async () => {
    const res = await call("/admin/");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("text/html; charset=UTF-8");
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(res.headers.get("X-Frame-Options")).toBe("DENY");
    const csp = parseCsp(res.headers.get("Content-Security-Policy"));
    expect(csp.get("default-src")).toEqual(["'self'"]);
    expect(csp.get("script-src")).toEqual(["'self'"]);
    expect(csp.get("style-src")).toEqual(["'self'"]);
    expect(csp.get("connect-src")).toEqual(["'self'"]);
    expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
    expect(csp.get("object-src")).toEqual(["'none'"]);
    const all = [...csp.values()].flat();
    for (const unsafe of ["'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:"]) expect(all).not.toContain(unsafe);
  });

  it("has no inline script, style or handler, and loads only its own files", async () => {
    const html = await (await call("/admin/")).text();
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts).toEqual(['<script src="/admin/assets/console.js" defer=""></script>'.replace("></script>", ">")]);
    expect(html).not.toMatch(/<script\b[^>]*>[^<]+<\/script>/);
    expect(html).not.toMatch(/<style\b/);
    expect(html).not.toMatch(/\sstyle="/);
    expect(html).not.toMatch(/\son[a-z]+="/);
    for (const m of html.matchAll(/<link\b[^>]*href="([^"]*)"/g)) expect(m[1], m[1]).toMatch(/^(\/admin\/assets\/|data:,$)/);
  });

  it("labels every input, select and textarea", async () => {
    const html = await (await call("/admin/")).text();
    const labelled = new Set([...html.matchAll(/<label\b[^>]*for="([^"]+)"/g)].map((m) => m[1]));
    const controls = [...html.matchAll(/<(?:input|select|textarea)\b[^>]*\bid="([^"]+)"/g)].map((m) => m[1]);
    expect(controls.length).toBeGreaterThan(40);
    for (const id of controls) expect(labelled.has(id), id).toBe(true);
    expect(html).not.toMatch(/<(?:input|select|textarea)\b(?![^>]*\bid=)[^>]*>/);
  });

  it("serves its script and stylesheet with their types, nosniff and revalidation", async () => {
    const js = await call("/admin/assets/console.js");
    expect(js.status).toBe(200);
    expect(js.headers.get("Content-Type")).toBe("text/javascript; charset=utf-8");
    expect(js.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(js.headers.get("Cache-Control")).toBe("no-cache");
    const source = await js.text();
    expect(source).toContain("X-CSRF-Token");
    // The script parses (it is plain text inside the bundle, so nothing else checks its syntax).
    expect(() => new Function(source)).not.toThrow();
    expect(source).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
    const css = await call("/admin/assets/console.css");
    expect(css.status).toBe(200);
    expect(css.headers.get("Content-Type")).toBe("text/css; charset=utf-8");
    expect(await css.text()).toContain(".field-error");
  });

  it("answers unknown asset names with 404 JSON", async () => {
    for (const path of ["/admin/assets/nope.js", "/admin/assets/constructor", "/admin/assets/__proto__", "/admin/assets/..%2Fwrangler.toml"]) {
      const res = await call(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("Content-Type"), path).toMatch(/^application\/json/);
    }
  });
});
