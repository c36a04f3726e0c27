import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { readImageInfo } from "../../src/lib/image-info";
import { findUserById } from "../../src/store/users";
import { call, db, json, testCtx } from "../helpers";
import { auditRows } from "../service/helpers";
import { REAL_PNG, dataUrl, jpegBytes, pngBytes, signedInUser, webpBytes } from "./helpers";

const PATH = "/api/auth_profile_avatar";

function multipart(bytes: Uint8Array, type = "image/png", field = "avatar") {
  const form = new FormData();
  form.append(field, new File([bytes], "me.png", { type }));
  return form;
}

async function uploadMultipart(headers: Record<string, string>, bytes: Uint8Array, type?: string, field?: string) {
  const req = new Request("https://x/", { method: "POST", body: multipart(bytes, type, field) });
  return call(PATH, { body: await req.arrayBuffer(), headers: { ...headers, "Content-Type": req.headers.get("Content-Type")! } });
}

function avatarPath(url: string) {
  return new URL(url).pathname;
}

describe("image sniffing", () => {
  it("reads type and dimensions of PNG, JPEG and WebP (VP8X, VP8L, VP8) headers", () => {
    expect(readImageInfo(REAL_PNG)).toEqual({ type: "image/png", width: 1, height: 1 });
    expect(readImageInfo(pngBytes(640, 480))).toEqual({ type: "image/png", width: 640, height: 480 });
    expect(readImageInfo(jpegBytes(800, 600))).toEqual({ type: "image/jpeg", width: 800, height: 600 });
    expect(readImageInfo(webpBytes(300, 200))).toEqual({ type: "image/webp", width: 300, height: 200 });
    expect(readImageInfo(webpBytes(1024, 1000, "VP8L"))).toEqual({ type: "image/webp", width: 1024, height: 1000 });
    expect(readImageInfo(webpBytes(50, 60, "VP8 "))).toEqual({ type: "image/webp", width: 50, height: 60 });
  });

  it("rejects SVG, HTML, GIF, truncated headers and zero sizes", () => {
    const text = (s: string) => new TextEncoder().encode(s);
    expect(readImageInfo(text('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
    expect(readImageInfo(text("<html><script>alert(1)</script></html>"))).toBeNull();
    expect(readImageInfo(text("GIF89a\x01\x00\x01\x00"))).toBeNull();
    expect(readImageInfo(pngBytes(10, 10).slice(0, 20))).toBeNull();
    expect(readImageInfo(pngBytes(0, 10))).toBeNull();
    expect(readImageInfo(new Uint8Array([0xff, 0xd8, 0xff, 0xda, 0, 2]))).toBeNull();
  });
});

describe("POST /api/auth_profile_avatar", () => {
  it("stores a JSON data-URL upload in R2 and serves it with the stored type, nosniff and cache headers", async () => {
    const me = await signedInUser();
    const res = await me.post(PATH, { image: dataUrl(REAL_PNG) });
    expect(res.status).toBe(200);
    const { user } = await json(res);
    expect(user.auth_user_id).toBe(me.user.id);
    expect(user.avatar_url).toMatch(new RegExp(`^https://auth\\.test/api/avatars/${me.user.id}/[0-9a-f]{32}$`));
    const row = (await findUserById(db(), me.user.id))!;
    const object = await env.AVATARS.get(`avatars/${me.user.id}/${row.avatarKey}`);
    expect(object).not.toBeNull();
    expect(new Uint8Array(await object!.arrayBuffer())).toEqual(REAL_PNG);

    const served = await call(avatarPath(user.avatar_url));
    expect(served.status).toBe(200);
    expect(served.headers.get("Content-Type")).toBe("image/png");
    expect(served.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(served.headers.get("Cache-Control")).toContain("max-age=31536000");
    expect(served.headers.get("Content-Security-Policy")).toContain("sandbox");
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(REAL_PNG);
    const etag = served.headers.get("ETag")!;
    expect((await call(avatarPath(user.avatar_url), { headers: { "If-None-Match": etag } })).status).toBe(304);

    expect((await json(await me.get("/api/auth_me"))).user.avatar_url).toBe(user.avatar_url);
    const audit = (await auditRows("profile.avatar")).find((r) => r.actor_id === me.user.id);
    expect(audit).toMatchObject({ outcome: "success", details: { type: "image/png", width: 1, height: 1 } });
  });

  it("accepts multipart uploads; the declared type is ignored, the magic bytes decide", async () => {
    const me = await signedInUser();
    const res = await uploadMultipart(me.headers, jpegBytes(512, 512), "image/png");
    expect(res.status).toBe(200);
    const { user } = await json(res);
    const served = await call(avatarPath(user.avatar_url));
    expect(served.headers.get("Content-Type")).toBe("image/jpeg");
    const webp = await me.post(PATH, { image: dataUrl(webpBytes(100, 100), "text/html") });
    expect(webp.status).toBe(200);
    expect((await call(avatarPath((await json(webp)).user.avatar_url))).headers.get("Content-Type")).toBe("image/webp");
  });

  it("deletes the old object when a new avatar replaces it", async () => {
    const me = await signedInUser();
    const first = (await json(await me.post(PATH, { image: dataUrl(REAL_PNG) }))).user.avatar_url;
    const second = (await json(await me.post(PATH, { image: dataUrl(pngBytes(64, 64)) }))).user.avatar_url;
    expect(second).not.toBe(first);
    expect((await call(avatarPath(first))).status).toBe(404);
    expect((await call(avatarPath(second))).status).toBe(200);
    const listed = await env.AVATARS.list({ prefix: `avatars/${me.user.id}/` });
    expect(listed.objects).toHaveLength(1);
  });

  it("refuses SVG, HTML and other non-images with 415 unsupported_image, whatever they claim to be", async () => {
    const me = await signedInUser();
    const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>');
    for (const res of [
      await me.post(PATH, { image: dataUrl(svg, "image/png") }),
      await uploadMultipart(me.headers, svg, "image/svg+xml"),
      await uploadMultipart(me.headers, new TextEncoder().encode("<html></html>"), "image/jpeg"),
      await me.post(PATH, { image: dataUrl(new TextEncoder().encode("GIF89a\x01\x00\x01\x00\x00\x00\x00"), "image/gif") }),
    ]) {
      expect(res.status).toBe(415);
      expect((await json(res)).error.code).toBe("unsupported_image");
    }
    expect((await findUserById(db(), me.user.id))!.avatarKey).toBeNull();
    expect((await env.AVATARS.list({ prefix: `avatars/${me.user.id}/` })).objects).toHaveLength(0);
  });

  it("refuses images over 1024×1024 with 400 image_too_large", async () => {
    const me = await signedInUser();
    for (const bytes of [pngBytes(1025, 10), jpegBytes(10, 2000), webpBytes(4096, 4096)]) {
      const res = await me.post(PATH, { image: dataUrl(bytes) });
      expect(res.status).toBe(400);
      expect((await json(res)).error.code).toBe("image_too_large");
    }
    expect((await me.post(PATH, { image: dataUrl(pngBytes(1024, 1024)) })).status).toBe(200);
  });

  it("refuses images over 1 MiB with 413 (both forms), accepts up to 1 MiB", async () => {
    const me = await signedInUser();
    const big = pngBytes(100, 100, 1024 * 1024 - 33 + 1);
    for (const res of [await me.post(PATH, { image: dataUrl(big) }), await uploadMultipart(me.headers, big)]) {
      expect(res.status).toBe(413);
      expect((await json(res)).error.code).toBe("payload_too_large");
    }
    const exact = pngBytes(100, 100, 1024 * 1024 - 33);
    expect((await uploadMultipart(me.headers, exact)).status).toBe(200);
    expect((await me.post(PATH, { image: dataUrl(exact) })).status).toBe(200);
    const huge = await call(PATH, { body: "x".repeat(2_000_000), headers: { ...me.headers, "Content-Type": "application/json" } });
    expect(huge.status).toBe(413);
  });

  it("refuses other content types, missing fields and bad data URLs", async () => {
    const me = await signedInUser();
    expect((await call(PATH, { body: REAL_PNG, headers: { ...me.headers, "Content-Type": "image/png" } })).status).toBe(415);
    expect((await call(PATH, { form: { image: dataUrl(REAL_PNG) }, headers: me.headers })).status).toBe(415);
    for (const body of [{}, { image: 5 }, { image: "https://evil.example/x.png" }, { image: "data:image/png,notbase64" }, { image: "data:image/png;base64,@@@" }]) {
      const res = await me.post(PATH, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect((await uploadMultipart(me.headers, REAL_PNG, "image/png", "picture")).status).toBe(400);
  });

  it("serves 404 for unknown or malformed avatar paths", async () => {
    const me = await signedInUser();
    expect((await call(`/api/avatars/${me.user.id}/${"0".repeat(32)}`)).status).toBe(404);
    expect((await call(`/api/avatars/${me.user.id}/..%2F..%2Fetc`)).status).toBe(404);
    expect((await call(`/api/avatars/${me.user.id}/not-a-key`)).status).toBe(404);
  });
});

describe("deleteUserAvatars (account deletion)", () => {
  it("removes every object under the user's prefix and nobody else's", async () => {
    const deleteUserAvatars = (userId: string) => testCtx().store.avatars.deleteAll(userId);
    const me = await signedInUser();
    const other = await signedInUser();
    const mine = (await json(await me.post(PATH, { image: dataUrl(REAL_PNG) }))).user.avatar_url;
    const theirs = (await json(await other.post(PATH, { image: dataUrl(REAL_PNG) }))).user.avatar_url;
    expect(await deleteUserAvatars(me.user.id)).toBe(1);
    expect((await call(avatarPath(mine))).status).toBe(404);
    expect((await call(avatarPath(theirs))).status).toBe(200);
  });
});
