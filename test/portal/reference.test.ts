import { describe, expect, it } from "vitest";
import pkg from "../../package.json";
import { call } from "../helpers";

/** Every local script and stylesheet a page loads. */
function resourcesOf(html: string): string[] {
  const scripts = [...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1] ?? "");
  const styles = [...html.matchAll(/<link\b[^>]*rel="stylesheet"[^>]*href="([^"]+)"/g)].map((m) => m[1] ?? "");
  return [...scripts, ...styles];
}

describe("GET /docs/reference", () => {
  it("loads Swagger UI and its start script from this Worker", async () => {
    const res = await call("/docs/reference");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<div id="swagger-ui"></div>');
    // Swagger UI renders the main landmark itself; the skip link still has its target.
    expect(html).toMatch(/<div id="main"[^>]*tabindex="-1"/);
    expect(html).not.toMatch(/<main\b/);
    expect(html).toContain('href="#main"');
    const resources = resourcesOf(html);
    expect(resources).toEqual(
      expect.arrayContaining([
        "/docs/vendor/swagger-ui/swagger-ui-bundle.js",
        "/docs/vendor/swagger-ui/swagger-ui.css",
        "/docs/assets/reference.js",
        "/docs/assets/portal.css",
      ]),
    );
    // The bundle must run before the start script: both deferred, in this order.
    expect(html.indexOf("swagger-ui-bundle.js")).toBeLessThan(html.indexOf("reference.js"));
  });

  it("serves every script and stylesheet of both pages with its type, nosniff and a cache lifetime", async () => {
    for (const page of ["/docs", "/docs/reference"]) {
      for (const path of resourcesOf(await (await call(page)).text())) {
        const res = await call(path);
        expect(res.status, path).toBe(200);
        const type = res.headers.get("Content-Type") ?? "";
        expect(type, path).toBe(path.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8");
        expect(res.headers.get("X-Content-Type-Options"), path).toBe("nosniff");
        expect(res.headers.get("Cache-Control"), path).toMatch(/^public, max-age=\d+$/);
        expect((await res.text()).length, path).toBeGreaterThan(100);
      }
    }
  });

  it("serves the pinned swagger-ui-dist files from the static assets", async () => {
    expect(pkg.dependencies["swagger-ui-dist"]).toMatch(/^\d+\.\d+\.\d+$/);
    const bundle = await call("/docs/vendor/swagger-ui/swagger-ui-bundle.js");
    const text = await bundle.text();
    expect(text).toContain("SwaggerUIBundle");
    expect(text.length).toBeGreaterThan(500_000);
    const css = await (await call("/docs/vendor/swagger-ui/swagger-ui.css")).text();
    expect(css).toContain(".swagger-ui");
    const licence = await call("/docs/vendor/swagger-ui/LICENSE");
    expect(licence.status).toBe(200);
    expect(await licence.text()).toContain("Apache License");
  });

  it("answers a repeated vendor request with 304 when the ETag matches", async () => {
    const first = await call("/docs/vendor/swagger-ui/swagger-ui.css");
    const etag = first.headers.get("ETag");
    expect(etag).toBeTruthy();
    await first.arrayBuffer();
    const again = await call("/docs/vendor/swagger-ui/swagger-ui.css", { headers: { "If-None-Match": etag ?? "" } });
    expect(again.status).toBe(304);
    expect(again.headers.get("ETag")).toBe(etag);
  });

  it("starts Swagger UI on the live document, pointed at the page's own origin", async () => {
    const script = await (await call("/docs/assets/reference.js")).text();
    expect(script).toContain('fetch("/api/openapi.json"');
    expect(script).toContain("spec.servers = [{ url: window.location.origin");
    expect(script).toContain("SwaggerUIBundle(");
    const doc = await (await call("/api/openapi.json")).json<{ openapi: string }>();
    expect(doc.openapi).toBe("3.1.0");
  });
});
