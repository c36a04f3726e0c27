import { describe, expect, it } from "vitest";
import { call, json } from "../helpers";
import { PASSWORD, seedPasswordUser } from "../login/helpers";
import { signedInUser } from "./helpers";

// Issue 15, item 6: Staff and Admin routes take JSON only. A form (or text/plain) is what a
// cross-site page can post without a CORS preflight; with a session cookie riding along, that is
// one defence fewer. App, Service and Legacy routes keep accepting forms for PHP-era clients.

const STAFF_POSTS = [
  "/api/auth_profile_update",
  "/api/auth_api_keys_create",
  "/api/auth_api_keys_revoke",
  "/api/auth_totp_enroll",
  "/api/auth_totp_confirm",
  "/api/auth_totp_disable",
  "/api/auth_passkey_register_options",
  "/api/auth_passkey_register_verify",
  "/api/auth_passkeys_rename",
  "/api/auth_passkeys_delete",
  "/api/auth_reauthenticate",
];
const ADMIN_POSTS = ["/api/admin/login", "/api/admin/user_create", "/api/admin/site_update"];

const SIMPLE_BODIES: { type: string; body: string }[] = [
  { type: "application/x-www-form-urlencoded", body: "name=form+key&display_name=Mallory&password=x&id=k" },
  { type: "text/plain", body: '{"name":"form key"}' },
  { type: "multipart/form-data; boundary=x", body: '--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nform key\r\n--x--\r\n' },
];

describe("Staff and Admin routes answer 415 to anything but JSON", () => {
  it("every Staff POST, with and without .php, with a Bearer token and with the cookie", async () => {
    const me = await signedInUser();
    const credentials = [me.headers, { Cookie: `__Host-auth2_session=${me.session.token}` }];
    for (const path of STAFF_POSTS) {
      for (const suffix of ["", ".php"]) {
        for (const auth of credentials) {
          for (const { type, body } of SIMPLE_BODIES) {
            const res = await call(`${path}${suffix}`, { body, headers: { ...auth, "Content-Type": type } });
            expect(res.status, `${path}${suffix} ${type}`).toBe(415);
            expect((await json(res)).error).toMatchObject({ code: "unsupported_media_type", message: "Send application/json." });
          }
        }
      }
    }
    // Nothing was changed or created by any of them.
    const keys = await json(await me.get("/api/auth_api_keys_list"));
    expect(keys.keys).toEqual([]);
    expect((await json(await me.get("/api/auth_me"))).user.display_name).toBeNull();
  });

  it("Admin routes too", async () => {
    for (const path of ADMIN_POSTS) {
      const res = await call(path, { form: { email: "admin@example.com", password: "whatever pass" } });
      expect(res.status, path).toBe(415);
    }
  });

  it("JSON still works on the same routes", async () => {
    const me = await signedInUser();
    const res = await me.post("/api/auth_api_keys_create", { name: "json key" });
    expect(res.status).toBe(200);
    expect((await json(res)).key).toMatchObject({ name: "json key" });
  });
});

describe("App, Service and Legacy routes keep taking forms", () => {
  it("auth_login, and the auth_api.php wrapper forwarding to a JSON-only route's neighbours", async () => {
    const user = await seedPasswordUser();
    const login = await call("/api/auth_login.php", { form: { site_key: "demo", email: user.email, password: PASSWORD } });
    expect(login.status).toBe(200);
    const token = (await json(login)).session.token as string;
    const me = await call("/api/auth_api.php", { form: { action: "me", site_key: "demo" }, headers: { Authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect((await json(me)).user.auth_user_id).toBe(user.id);
    const logout = await call("/api/auth_logout.php", { form: { all: "1" }, headers: { Authorization: `Bearer ${token}` } });
    expect(logout.status).toBe(200);
  });
});
