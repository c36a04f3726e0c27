import { describe, expect, it } from "vitest";
import { call, json } from "../helpers";

describe("envelope and request handling", () => {
  it("answers unknown routes with 404 in the error envelope and a request id", async () => {
    const res = await call("/api/no_such_route");
    expect(res.status).toBe(404);
    const body = await json(res);
    expect(body).toEqual({ ok: false, error: { code: "not_found", message: "Not found." }, request_id: expect.any(String) });
    expect(res.headers.get("X-Request-Id")).toBe(body.request_id);
    expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
  });

  it("puts security headers on every response and no-store on /api", async () => {
    const res = await call("/api/auth_site_info", { json: { site_key: "anything" } });
    expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(res.headers.get("Strict-Transport-Security")).toContain("max-age=");
    expect(res.headers.get("Content-Security-Policy")).toContain("frame-ancestors 'none'");
    expect(res.headers.get("Cache-Control")).toBe("no-store");
  });

  it("refuses malformed JSON with 400 invalid_request", async () => {
    const res = await call("/api/auth_site_info", { body: '{"site_key": "demo",', headers: { "Content-Type": "application/json" } });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.error.code).toBe("invalid_request");
    expect(JSON.stringify(body)).not.toMatch(/SyntaxError|at JSON|stack/);
  });

  it("refuses non-object JSON and over-deep nesting", async () => {
    expect((await call("/api/auth_site_info", { json: ["demo"] })).status).toBe(400);
    let deep: unknown = "x";
    for (let i = 0; i < 40; i++) deep = { a: deep };
    const res = await call("/api/auth_site_info", { json: { site_key: "demo", deep } });
    expect(res.status).toBe(400);
  });

  it("reports wrong field types with their paths", async () => {
    const res = await call("/api/auth_site_info", { json: { site_key: 12 } });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.error.code).toBe("invalid_request");
    expect(Object.keys(body.error.fields)).toContain("site_key");
  });

  it("takes JSON under any JSON media type and validates it the same way", async () => {
    for (const type of ["application/json", "application/json; charset=utf-8", "Application/JSON", "application/vnd.api+json"]) {
      const ok = await call("/api/auth_site_info", { body: JSON.stringify({ site_key: "demo" }), headers: { "Content-Type": type } });
      expect(ok.status, type).toBe(200);
      expect((await json(ok)).site.site_key).toBe("demo");
      const bad = await call("/api/auth_site_info", { body: JSON.stringify({ site_key: 12 }), headers: { "Content-Type": type } });
      expect(bad.status, type).toBe(400);
      expect(Object.keys((await json(bad)).error.fields)).toContain("site_key");
    }
  });

  it("refuses a JSON body that is not UTF-8, and an empty body where fields are required", async () => {
    const latin1 = new Uint8Array([0x7b, 0x22, 0x73, 0x69, 0x74, 0x65, 0x5f, 0x6b, 0x65, 0x79, 0x22, 0x3a, 0x22, 0xe9, 0x22, 0x7d]); // {"site_key":"\xe9"}
    const res = await call("/api/auth_site_info", { body: latin1, headers: { "Content-Type": "application/json" } });
    expect(res.status).toBe(400);
    expect((await json(res)).error.code).toBe("invalid_request");
    const empty = await call("/api/auth_login", { body: new Uint8Array() });
    expect(empty.status).toBe(400);
    expect((await json(empty)).error.code).toBe("invalid_request");
  });

  it("refuses unsupported content types with 415", async () => {
    const res = await call("/api/auth_site_info", { body: "<x/>", headers: { "Content-Type": "application/xml" } });
    expect(res.status).toBe(415);
    expect((await json(res)).error.code).toBe("unsupported_media_type");
  });

  it("accepts form-encoded bodies on app routes", async () => {
    const res = await call("/api/auth_site_info", { form: { site_key: "legacy-form" } });
    expect(res.status).toBe(200);
    expect((await json(res)).site.site_key).toBe("legacy-form");
  });

  it("refuses form-encoded bodies on admin routes", async () => {
    const res = await call("/api/admin/anything", { form: { a: "b" } });
    expect(res.status).toBe(415);
  });

  it("refuses bodies over 64 KiB with 413, whether declared or streamed", async () => {
    const big = JSON.stringify({ site_key: "demo", pad: "x".repeat(70 * 1024) });
    const declared = await call("/api/auth_site_info", { body: big, headers: { "Content-Type": "application/json" } });
    expect(declared.status).toBe(413);
    expect((await json(declared)).error.code).toBe("payload_too_large");
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const streamed = await call("/api/auth_site_info", { body: stream, headers: { "Content-Type": "application/json" } });
    expect(streamed.status).toBe(413);
  });

  it("serves every API route with and without .php, any case, trailing slash", async () => {
    for (const path of ["/api/auth_site_info.php", "/api/auth_site_info", "/API/Auth_Site_Info.PHP", "/api/auth_site_info/"]) {
      const res = await call(path, { json: { site_key: "demo" } });
      expect(res.status, path).toBe(200);
    }
  });

  it("publishes an OpenAPI 3.1 document generated from the routes", async () => {
    const res = await call("/api/openapi.json");
    expect(res.status).toBe(200);
    const doc = await json(res);
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/healthz", "/api/auth_site_info"]));
    expect(doc.paths["/api/auth_site_info"].post.requestBody).toBeDefined();
  });

  it("hides the bench floor routes outside the bench build", async () => {
    for (const path of ["/__bench/bare", "/__bench/do", "/__bench/d1", "/__bench/hash"]) {
      expect((await call(path)).status, path).toBe(404);
    }
    const doc = await json(await call("/api/openapi.json"));
    expect(Object.keys(doc.paths).filter((p) => p.startsWith("/__bench"))).toEqual([]);
  });
});
