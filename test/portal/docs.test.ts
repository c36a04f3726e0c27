import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { listEndpoints } from "../../src/portal/endpoints";
import { createPortalRoutes } from "../../src/routes/portal";
import type { AppEnv } from "../../src/middleware/app-env";
import { BASE, call, json } from "../helpers";

const METHODS = ["get", "post", "put", "patch", "delete", "head", "options"];

/** "METHOD /path" for every operation in an OpenAPI document. */
function operationsOf(doc: { paths: Record<string, Record<string, unknown>> }): string[] {
  const out: string[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) if (item[method]) out.push(`${method.toUpperCase()} ${path}`);
  }
  return out;
}

/** The endpoint-list rows the page shows: "METHOD /path" from each row's data attributes. */
function rowsOf(html: string): string[] {
  return [...html.matchAll(/<tr id="ep-[^"]*" data-method="([A-Z]+)" data-path="([^"]+)"/g)].map((m) => `${m[1]} ${m[2]}`);
}

/** The visible text of an HTML fragment (tags dropped, entities decoded, spaces collapsed). */
function textOf(html: string): string {
  return html
    .replace(/<[^>]*>/g, "")
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ");
}

/** How the page shows a document string: `code` spans lose their backticks. */
const shown = (text: string) => text.replaceAll("`", "").replace(/\s+/g, " ");

function rowHtml(html: string, method: string, path: string): string {
  const start = html.indexOf(`data-method="${method}" data-path="${path}"`);
  expect(start, `${method} ${path}`).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf("</tr>", start));
}

describe("GET /docs", () => {
  it("lists every operation of /api/openapi.json with its access, summary, use and .php path", async () => {
    const doc = await json<{ paths: Record<string, Record<string, { tags?: string[]; summary?: string; description?: string }>> }>(
      await call("/api/openapi.json"),
    );
    const res = await call("/docs");
    expect(res.status).toBe(200);
    const html = await res.text();

    const expected = operationsOf(doc);
    expect(expected.length).toBeGreaterThan(2);
    expect(rowsOf(html).sort()).toEqual([...expected].sort());

    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of METHODS) {
        const op = item[method];
        if (!op) continue;
        const row = rowHtml(html, method.toUpperCase(), path);
        expect(row).toContain(`tag-${(op.tags?.[0] ?? "untagged").toLowerCase()}`);
        if (op.summary) expect(textOf(row)).toContain(shown(op.summary));
        if (op.description) expect(textOf(row)).toContain(shown(op.description));
        if (path.startsWith("/api/")) expect(row).toContain(`${path}.php`);
      }
    }
    // The seed's own example route, with its description as "use it for".
    const siteInfo = rowHtml(html, "POST", "/api/auth_site_info");
    expect(siteInfo).toContain("What a login screen needs to know about its site");
    expect(siteInfo).toContain("Resolves the site_key the way every app route does");
    expect(siteInfo).toContain("/api/auth_site_info.php");
  });

  it("writes the getting-started guide: APIs, rules, registry table, hardening, snippets", async () => {
    const html = await (await call("/docs")).text();
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain("<h1>Getting Started — Connect your app to Auth2</h1>");
    for (const text of [
      "auth_login",
      "auth_factor_verify",
      "auth_password_reset_",
      "service/user_resolve",
      "firebase_custom_token",
      "auth_api_key_verify",
      "Keep credentials only in Auth2",
      "X-Service-Key",
      "Is registering required?",
      "Without a registered site",
      "Hardening tips",
      "signInWithCustomToken",
      "challenge_token",
      "fallback compatible",
      // Passkeys: the section and the @simplewebauthn/browser snippet.
      'id="passkeys"',
      "passkey_mode",
      "startAuthentication",
      "startRegistration",
      "auth_passkey_login_options",
      "reauthentication_required",
    ]) {
      expect(html, text).toContain(text);
    }
    // Snippets point at this instance's public origin.
    expect(html).toContain(`const AUTH2 = &quot;${BASE}&quot;`);
  });

  it("shows a route added to the app in the list without touching the portal", async () => {
    const app = createApp();
    const extra = new OpenAPIHono<AppEnv>().openapi(
      createRoute({
        method: "post",
        path: "/api/portal_probe",
        tags: ["Service"],
        summary: "Probe <b>summary</b>",
        description: "Use it for `probing` & testing",
        responses: { 200: { description: "ok", content: { "application/json": { schema: z.object({ ok: z.boolean() }) } } } },
      }),
      (c) => c.json({ ok: true }, 200),
    );
    app.route("/", extra);
    const res = await app.fetch(new Request(`${BASE}/docs`), env, { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext);
    const html = await res.text();
    const row = rowHtml(html, "POST", "/api/portal_probe");
    expect(row).toContain("tag-service");
    expect(row).toContain("/api/portal_probe.php");
    // Text from the document is escaped, backticks become <code>.
    expect(row).toContain("Probe &lt;b&gt;summary&lt;/b&gt;");
    expect(row).not.toContain("<b>");
    expect(row).toContain("<code>probing</code> &amp; testing");
  });

  it("lists a route without a known access tag under Untagged instead of dropping it", async () => {
    const source = new OpenAPIHono<AppEnv>();
    source.openAPIRegistry.registerPath({ method: "get", path: "/api/odd", summary: "Odd", responses: { 200: { description: "ok" } } });
    const app = createApp();
    app.route("/x", createPortalRoutes(source));
    const res = await app.fetch(new Request(`${BASE}/x/docs`), env, {} as ExecutionContext);
    const html = await res.text();
    expect(rowsOf(html)).toEqual(["GET /api/odd"]);
    expect(rowHtml(html, "GET", "/api/odd")).toContain("tag-untagged");
  });

  it("tells which registry mode this instance runs in", async () => {
    const app = createApp();
    const ctx = {} as ExecutionContext;
    const strict = await (await app.fetch(new Request(`${BASE}/docs`), { ...env, SITE_REGISTRY_MODE: "strict" }, ctx)).text();
    expect(strict).toContain("This instance: strict");
    expect(strict).toContain("unknown_site");
    const fallback = await (await app.fetch(new Request(`${BASE}/docs`), { ...env, SITE_REGISTRY_MODE: "fallback" }, ctx)).text();
    expect(fallback).toContain("This instance: fallback compatible");
  });

  it("gives every row its own fragment id, even for paths that differ only in punctuation", () => {
    const rows = listEndpoints({
      paths: { "/api/a_b": { post: { tags: ["App"] } }, "/api/a-b": { post: { tags: ["App"] }, get: { tags: ["App"] } } },
    });
    const anchors = rows.map((r) => r.anchor);
    expect(new Set(anchors).size).toBe(3);
    expect(anchors).toContain("ep-post-api-a-b");
  });

  it("redirects /docs/ to /docs", async () => {
    const res = await call("/docs/"); // the Worker's fetch follows the 301
    expect(res.redirected).toBe(true);
    expect(res.url).toBe(`${BASE}/docs`);
    expect(res.status).toBe(200);
  });

  it("is itself in the OpenAPI document as an Operations route", async () => {
    const doc = await json(await call("/api/openapi.json"));
    expect(doc.paths["/docs"].get.tags).toEqual(["Operations"]);
    expect(doc.paths["/docs/reference"].get.tags).toEqual(["Operations"]);
  });
});
