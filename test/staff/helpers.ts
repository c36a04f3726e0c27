import { call } from "../helpers";
import { seedUser, sessionFor } from "../sessions/fixtures";

export { seedUser, sessionFor };

/** A user with a live session; `as` sends requests with its Bearer token. */
export async function signedInUser(overrides: Parameters<typeof seedUser>[0] = {}) {
  const user = await seedUser(overrides);
  const session = await sessionFor(user);
  const headers = { Authorization: `Bearer ${session.token}` };
  return {
    user,
    session,
    headers,
    post: (path: string, json: unknown) => call(path, { json, headers }),
    get: (path: string) => call(path, { headers }),
  };
}

/** Minimal but well-formed image headers for the sniffing rules (the parser reads only headers). */
export function pngBytes(width: number, height: number, pad = 0): Uint8Array {
  const out = new Uint8Array(33 + pad);
  out.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  new DataView(out.buffer).setUint32(16, width);
  new DataView(out.buffer).setUint32(20, height);
  out.set([8, 6, 0, 0, 0], 24);
  return out;
}

export function jpegBytes(width: number, height: number): Uint8Array {
  const app0 = [0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00];
  const sof = [0xff, 0xc2, 0x00, 0x11, 0x08, height >> 8, height & 255, width >> 8, width & 255, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
  return new Uint8Array([0xff, 0xd8, ...app0, 0xff, ...sof, 0xff, 0xd9]);
}

export function webpBytes(width: number, height: number, kind: "VP8X" | "VP8L" | "VP8 " = "VP8X"): Uint8Array {
  const out = new Uint8Array(40);
  const ascii = (at: number, s: string) => out.set([...s].map((ch) => ch.charCodeAt(0)), at);
  const view = new DataView(out.buffer);
  ascii(0, "RIFF");
  view.setUint32(4, 32, true);
  ascii(8, "WEBP");
  ascii(12, kind);
  view.setUint32(16, 20, true);
  if (kind === "VP8X") {
    view.setUint32(24, (width - 1) | 0, true);
    view.setUint32(27, (height - 1) | 0, true);
    out[30] = 0;
  } else if (kind === "VP8L") {
    out[20] = 0x2f;
    view.setUint32(21, ((width - 1) | ((height - 1) << 14)) >>> 0, true);
  } else {
    out.set([0x9d, 0x01, 0x2a], 23);
    view.setUint16(26, width, true);
    view.setUint16(28, height, true);
  }
  return out;
}

/** A real 1×1 PNG. */
export const REAL_PNG = Uint8Array.from(
  atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="),
  (ch) => ch.charCodeAt(0),
);

export function dataUrl(bytes: Uint8Array, type = "image/png"): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return `data:${type};base64,${btoa(binary)}`;
}
