import { env } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Env } from "../../src/env";
import { openOwedMail } from "../../src/services/mail/outbox";
import { call, createSite, testCtx } from "../helpers";
import { loseQueueSends, outboxRow } from "../mail/outbox-helpers";
import { freshIp, seedUser } from "./fixtures";

// An owed mail waits in mail_outbox with live codes and links inside: sealed (AES-256-GCM under a
// key derived from CODE_HMAC_KEY for the outbox alone), bound to its mail id, the address masked.

beforeAll(async () => {
  await createSite("sealsite", { policy: { reset_mode: "both" } });
});
afterEach(() => vi.restoreAllMocks());

async function owedReset(name = "Sealed Person") {
  const user = await seedUser({ name });
  const held = loseQueueSends();
  const res = await call("/api/auth_password_reset_request", { json: { site_key: "sealsite", email: user.email }, headers: { "CF-Connecting-IP": freshIp() } });
  expect(res.status).toBe(202);
  held.restore();
  const message = held.lost[0]!;
  return { user, message, row: (await outboxRow(message.id))! };
}

describe("mail_outbox at rest", () => {
  it("holds no code, link token, address or name in clear; the recipient column is masked", async () => {
    const { user, message, row } = await owedReset();
    const data = message.data as { code: string; link: string; name: string };
    const token = new URL(data.link).searchParams.get("token")!;
    expect(data.code).toMatch(/^\d{6}$/);
    const stored = JSON.stringify(row);
    for (const secret of [data.code, token, data.link, user.email, user.email.split("@")[0]!, data.name]) expect(stored).not.toContain(secret);
    expect(row.recipient).toMatch(/^\w\*+\w@example\.com$/);
    expect(row.payload).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    // The sweep opens it back into exactly the message the flow meant to queue.
    expect(await openOwedMail(testCtx(), row)).toEqual(message);
  });

  it("a payload opens only on its own row and only under its own key", async () => {
    const a = await owedReset();
    const b = await owedReset();
    // Copied onto another mail id (associated data), it does not open.
    await expect(openOwedMail(testCtx(), { ...b.row, payload: a.row.payload })).rejects.toThrow();
    // Another CODE_HMAC_KEY does not open it.
    await expect(openOwedMail(testCtx({ env: { ...env, CODE_HMAC_KEY: "another-code-hmac-key-0001" } as Env }), a.row)).rejects.toThrow();
    // Nor does a key derived from the right CODE_HMAC_KEY for another purpose (HKDF info label).
    const utf8 = (s: string) => new TextEncoder().encode(s);
    const bytes = (s: string) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (s.length % 4)) % 4)), (c) => c.charCodeAt(0));
    const base = await crypto.subtle.importKey("raw", utf8(env.CODE_HMAC_KEY!), "HKDF", false, ["deriveKey"]);
    const keyFor = (info: string) =>
      crypto.subtle.deriveKey({ name: "HKDF", hash: "SHA-256", salt: utf8("auth2 sealed-text"), info: utf8(info) }, base, { name: "AES-GCM", length: 256 }, false, ["decrypt"]);
    const [, iv, ct] = a.row.payload.split(".");
    const open = async (info: string) => crypto.subtle.decrypt({ name: "AES-GCM", iv: bytes(iv!), additionalData: utf8(a.row.id) }, await keyFor(info), bytes(ct!));
    await expect(open("auth2 something-else v1")).rejects.toThrow();
    // (The outbox's own label does open it: the key is HKDF-SHA-256 of CODE_HMAC_KEY with that label.)
    expect(JSON.parse(new TextDecoder().decode(await open("auth2 mail-outbox v1")))).toMatchObject({ to: a.user.email });
  });

  it("its size says nothing about the name: a long name seals to the size of a short one", async () => {
    const short = await owedReset("Al");
    const long = await owedReset("Ω".repeat(200));
    expect(long.row.payload.length).toBe(short.row.payload.length);
  });
});
