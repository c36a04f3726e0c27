import { beforeAll, describe, expect, it } from "vitest";
import { call, createSite } from "../helpers";
import { freshIp, listOperations, openApiDocument, seedUser } from "./fixtures";

// Account enumeration: every route that takes an email from an anonymous caller answers an existing,
// unknown, pending, disabled and locked account byte-for-byte alike (request_id aside), with the same
// status and headers. Routes join as they appear in /api/openapi.json.

const SITE = "enumsite";
const STRONG = "Unguessable-Correct-Horse-42";

const ROUTES: Record<string, (email: string) => Record<string, unknown>> = {
  "/api/auth_login": (email) => ({ site_key: SITE, email, password: "Wrong-password-0001" }),
  "/api/auth_password_reset_request": (email) => ({ site_key: SITE, email }),
  "/api/auth_onboarding_request": (email) => ({ site_key: SITE, email }),
  "/api/auth_register": (email) => ({ site_key: SITE, email, password: STRONG, name: "Enum Person" }),
  "/api/auth_register_start": (email) => ({ site_key: SITE, email, password: STRONG, name: "Enum Person" }),
};

const CASES = ["existing", "unknown", "pending", "disabled", "locked"] as const;
type Case = (typeof CASES)[number];

let present: string[] = [];
let n = 0;

beforeAll(async () => {
  const doc = await openApiDocument();
  present = Object.keys(ROUTES).filter((p) => doc.paths[p]?.post);
  await createSite(SITE, { policy: { allow_self_registration: true } });
});

/** Fresh emails for each case (locked: an active account after 10 failed sign-ins, when login exists). */
async function emailsFor(): Promise<Record<Case, string>> {
  const id = `${Date.now().toString(36)}${++n}`;
  const out = {} as Record<Case, string>;
  for (const c of CASES) out[c] = `enum-${c}-${id}@example.com`;
  await seedUser({ email: out.existing, status: "active", passwordHash: null });
  await seedUser({ email: out.pending, status: "pending", emailVerified: false });
  await seedUser({ email: out.disabled, status: "disabled" });
  await seedUser({ email: out.locked, status: "active" });
  return out;
}

/** Locks an account the way an attacker would: ten failed sign-ins. */
async function hammer(email: string) {
  for (let i = 0; i < 10; i++) {
    const res = await call("/api/auth_login", { json: ROUTES["/api/auth_login"]!(email), headers: { "CF-Connecting-IP": freshIp() } });
    await res.body?.cancel();
  }
}

/** What a client can observe, with the request id and the email itself masked out. */
async function observe(path: string, email: string, ip: string) {
  const res = await call(path, { json: ROUTES[path]!(email), headers: { "CF-Connecting-IP": ip } });
  const text = (await res.text()).replace(/"request_id":"[^"]*"/, '"request_id":"-"').split(email).join("<email>");
  const headers = [...res.headers.entries()]
    .filter(([k]) => !["x-request-id", "date"].includes(k.toLowerCase()))
    .map(([k, v]) => `${k}: ${v.split(email).join("<email>")}`)
    .sort();
  return { status: res.status, text, headers };
}

describe("no account enumeration", () => {
  it("the routes under test exist (at least registration)", () => {
    expect(present.length).toBeGreaterThan(0);
  });

  for (const path of Object.keys(ROUTES)) {
    it(`${path}: existing, unknown, pending, disabled and locked emails look the same`, async () => {
      if (!present.includes(path)) return; // not served by this build (yet): nothing to enumerate
      const emails = await emailsFor();
      const loginExists = present.includes("/api/auth_login");
      if (loginExists) {
        // The lock is per email, so an unknown email hammered as often must look the same as a locked account.
        await hammer(emails.locked);
      }
      const seen: Record<string, Awaited<ReturnType<typeof observe>>> = {};
      for (const c of CASES) seen[c] = await observe(path, emails[c], freshIp());
      for (const c of CASES) {
        if (c === "locked" && path === "/api/auth_login") continue; // compared against a hammered unknown below
        expect(seen[c]!.status, `${path} ${c}`).toBe(seen.unknown!.status);
        expect(seen[c]!.text, `${path} ${c}`).toBe(seen.unknown!.text);
        expect(seen[c]!.headers, `${path} ${c}`).toEqual(seen.unknown!.headers);
      }
      if (loginExists && path === "/api/auth_login") {
        const ghost = `enum-ghost-${n}@example.com`;
        await hammer(ghost);
        const a = await observe(path, ghost, freshIp());
        expect(seen.locked!.status).toBe(a.status);
        expect(seen.locked!.text).toBe(a.text);
        // Retry-After may differ by the second the two lockouts started.
        const strip = (h: string[]) => h.filter((x) => !x.startsWith("retry-after"));
        expect(strip(seen.locked!.headers)).toEqual(strip(a.headers));
      }
    });
  }
});
