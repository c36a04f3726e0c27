import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/index";
import { buildRequest, call, createSite, json } from "../helpers";
import { seedUser, sessionFor } from "./fixtures";

// Issue 15, item 2: a session is accepted only by the site it was issued for, whenever the caller
// names its site. One compromised or careless app must not be able to replay its users' tokens
// against another app.

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
let appBToken = "";
let unknownBody = "";

/** An error body without its request id, for comparing answers. */
const shape = async (res: Response) => JSON.stringify({ ...(await json(res)), request_id: "" });

beforeAll(async () => {
  await createSite("app-a");
  await createSite("app-b");
  const user = await seedUser();
  appBToken = (await sessionFor(user, { siteKey: "app-b" })).token;
  unknownBody = await shape(await call("/api/auth_me", { headers: bearer(`${user.id}.${"B".repeat(43)}`) }));
});

describe("a session of site app-b", () => {
  it("answers auth_me for app-b (header or query) and when no site is named", async () => {
    for (const [path, headers] of [
      ["/api/auth_me", { ...bearer(appBToken), "X-Site-Key": "app-b" }],
      ["/api/auth_me?site_key=app-b", bearer(appBToken)],
      ["/api/auth_me.php", bearer(appBToken)],
    ] as const) {
      const res = await call(path, { headers });
      expect(res.status, path).toBe(200);
      expect((await json(res)).session.site_key).toBe("app-b");
    }
  });

  it("is refused by app-a with the same 401 as an unknown token", async () => {
    for (const [path, headers] of [
      ["/api/auth_me", { ...bearer(appBToken), "X-Site-Key": "app-a" }],
      ["/api/auth_me?site_key=app-a", bearer(appBToken)],
      ["/api/auth_me", { Cookie: `__Host-auth2_session=${appBToken}`, "X-Site-Key": "app-a" }],
      ["/api/auth_me", { ...bearer(appBToken), "X-Site-Key": "never-registered" }],
    ] as const) {
      const res = await call(path, { headers });
      expect(res.status, path).toBe(401);
      expect(await shape(res)).toBe(unknownBody);
    }
  });

  it("is refused on every Staff route when the request names another site", async () => {
    const headers = { ...bearer(appBToken), "X-Site-Key": "app-a" };
    const requests = [
      call("/api/auth_api_keys_list", { headers }),
      call("/api/auth_api_keys_create", { headers, json: { name: "replayed" } }),
      call("/api/auth_profile_update", { headers: bearer(appBToken), json: { site_key: "app-a", display_name: "Mallory" } }),
      call("/api/auth_totp_enroll", { headers, json: {} }),
      call("/api/auth_logout", { headers, json: {} }),
    ];
    for (const res of await Promise.all(requests)) {
      expect(res.status, res.url).toBe(401);
      expect((await json(res)).error.code).toBe("unauthenticated");
    }
    // Nothing happened on the user's behalf: no key was created, the session is still alive.
    const list = await json(await call("/api/auth_api_keys_list", { headers: { ...bearer(appBToken), "X-Site-Key": "app-b" } }));
    expect(list.keys).toEqual([]);
    expect((await call("/api/auth_me", { headers: bearer(appBToken) })).status).toBe(200);
  });
});

describe("strict registry mode", () => {
  const strict = async (path: string, headers: Record<string, string>) => {
    const ctx = createExecutionContext();
    const res = await worker.fetch(buildRequest(path, { headers }) as Parameters<typeof worker.fetch>[0], { ...env, SITE_REGISTRY_MODE: "strict" }, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  };

  it("auth_me requires the caller to name its site", async () => {
    const res = await strict("/api/auth_me", bearer(appBToken));
    expect(res.status).toBe(400);
    expect((await json(res)).error).toMatchObject({ code: "invalid_request", fields: { site_key: "Required" } });
    expect((await strict("/api/auth_me", { ...bearer(appBToken), "X-Site-Key": "app-b" })).status).toBe(200);
    expect((await strict("/api/auth_me", { ...bearer(appBToken), "X-Site-Key": "app-a" })).status).toBe(401);
  });
});
