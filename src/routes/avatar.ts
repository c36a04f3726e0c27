import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { AppError } from "../lib/errors";
import type { AppEnv } from "../middleware/app-env";
import { readBodyCapped } from "../middleware/body";
import { requireUserSession } from "../middleware/session";
import { AVATAR_BODY_LIMIT, AVATAR_TYPES, decodeDataUrl, readAvatar, replaceAvatar } from "../services/users/avatars";
import { errorResponses, jsonResponse, validationHook } from "./common";
import { UserSchema } from "./schemas";

/** The global body parser (64 KiB, no multipart) skips this path: the route reads its own body. */
export const AVATAR_UPLOAD_PATH = "/api/auth_profile_avatar";

const avatarUploadRoute = createRoute({
  method: "post",
  path: AVATAR_UPLOAD_PATH,
  tags: ["Staff"],
  summary: "Upload the signed-in user's avatar",
  description:
    "Send `multipart/form-data` with the file in field `avatar`, or JSON `{\"image\": \"data:image/png;base64,…\"}`. PNG, JPEG " +
    "or WebP recognised by their magic bytes (the declared type is ignored; anything else → 415 `unsupported_image`), at most " +
    "1 MiB (413) and 1024×1024 pixels (400 `image_too_large`). The old picture is deleted; the answer is the canonical user " +
    "with the new `avatar_url`. Access: Staff (user session: Bearer token or cookie).",
  middleware: [requireUserSession] as const,
  // Plain OpenAPI schemas (not zod): documented, while the handler parses the body itself.
  request: {
    body: {
      required: true,
      content: {
        "multipart/form-data": { schema: { type: "object", properties: { avatar: { type: "string", format: "binary" } }, required: ["avatar"] } },
        "application/json": { schema: { type: "object", properties: { image: { type: "string", description: "base64 data URL" } }, required: ["image"] } },
      },
    },
  },
  responses: {
    200: jsonResponse(z.object({ ok: z.literal(true), user: UserSchema })),
    ...errorResponses(400, 401, 403, 413, 415),
  },
});

const avatarServeRoute = createRoute({
  method: "get",
  path: "/api/avatars/{user}/{key}",
  tags: ["App"],
  summary: "Serve an avatar image",
  description:
    "The `avatar_url` of the canonical user points here. Public (no site_key or session, so `<img>` tags work). The key changes " +
    "with every upload, so responses are cacheable for a year; served with the stored image type and `X-Content-Type-Options: nosniff`.",
  request: { params: z.object({ user: z.string().max(128), key: z.string().max(64) }) },
  responses: {
    200: { description: "The image", content: { "image/png": { schema: { type: "string", format: "binary" } }, "image/jpeg": { schema: { type: "string", format: "binary" } }, "image/webp": { schema: { type: "string", format: "binary" } } } },
    304: { description: "Not modified (If-None-Match)" },
    ...errorResponses(404),
  },
});

/** The uploaded bytes from either body form. */
async function readUpload(c: Context<AppEnv>): Promise<Uint8Array> {
  const contentType = c.req.header("Content-Type") ?? "";
  const mediaType = contentType.split(";")[0]!.trim().toLowerCase();
  if (mediaType !== "application/json" && mediaType !== "multipart/form-data") {
    throw new AppError("unsupported_media_type", { message: "Send multipart/form-data (field avatar) or application/json (field image)." });
  }
  const body = await readBodyCapped(c.req.raw, AVATAR_BODY_LIMIT);
  if (mediaType === "application/json") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(body));
    } catch {
      throw new AppError("invalid_request", { message: "The request body is not valid JSON." });
    }
    const image = parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>).image : undefined;
    if (typeof image !== "string") throw new AppError("invalid_request", { fields: { image: "Required: a base64 data URL" } });
    return decodeDataUrl(image);
  }
  let form: FormData;
  try {
    form = await new Request("https://upload.invalid/", { method: "POST", headers: { "Content-Type": contentType }, body }).formData();
  } catch {
    throw new AppError("invalid_request", { message: "The multipart body could not be read." });
  }
  const file = form.get("avatar");
  if (!file || typeof file === "string") throw new AppError("invalid_request", { fields: { avatar: "Required: an image file" } });
  return new Uint8Array(await file.arrayBuffer());
}

export const avatarRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(avatarUploadRoute, async (c) => {
    const bytes = await readUpload(c);
    const user = await replaceAvatar(c.var.ctx, c.var.auth.principalId, bytes);
    return c.json({ ok: true as const, user }, 200);
  })
  .openapi(avatarServeRoute, async (c) => {
    const { user, key } = c.req.valid("param");
    const object = await readAvatar(c.var.ctx, user, key, c.req.raw.headers);
    if (!object) throw new AppError("not_found");
    const stored = object.httpMetadata?.contentType ?? "";
    const headers = new Headers({
      "Content-Type": (AVATAR_TYPES as readonly string[]).includes(stored) ? stored : "application/octet-stream",
      "Cache-Control": "public, max-age=31536000, immutable",
      ETag: object.httpEtag,
      "X-Content-Type-Options": "nosniff",
      "Content-Security-Policy": "default-src 'none'; sandbox",
      "Content-Disposition": "inline",
      "Cross-Origin-Resource-Policy": "cross-origin",
    });
    if (!("body" in object)) return new Response(null, { status: 304, headers }) as never;
    headers.set("Content-Length", String(object.size));
    return new Response(object.body, { status: 200, headers }) as never;
  });
