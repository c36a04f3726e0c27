import { describe, expect, it } from "vitest";
import { call, json } from "../helpers";
import { asAdmin, auditAfter, auditMark } from "../admin/fixtures";
import { addPasskey, me, passkeyLogin, passkeyRows, passkeySite, userWithPasskey } from "./http";
import { SoftAuthenticator } from "./soft-authenticator";

// admin/user_passkeys_list and admin/user_passkeys_delete: an administrator sees and removes a
// user's passkeys (a lost device, a flagged key); removals are audited; the account and its sessions stay.

describe("admin: a user's passkeys", () => {
  it("lists them (oldest first), without public keys or counters; 404 for an unknown user", async () => {
    const { headers } = await asAdmin();
    const site = await passkeySite();
    const { user, token, passkeyId } = await userWithPasskey(site);
    const second = await addPasskey(token, new SoftAuthenticator(), {}, "Backup key");
    const res = await call(`/api/admin/user_passkeys_list?auth_user_id=${user.id}`, { headers });
    const body = await json(res);
    expect(res.status).toBe(200);
    expect(body.passkeys.map((p: any) => [p.id, p.name])).toEqual([
      [passkeyId, "Passkey"],
      [second, "Backup key"],
    ]);
    expect(JSON.stringify(body)).not.toMatch(/public_key|sign_counter|credential_id/);
    const unknown = await call("/api/admin/user_passkeys_list?auth_user_id=nobody-here", { headers });
    expect([unknown.status, (await json(unknown)).error.code]).toEqual([404, "user_not_found"]);
  });

  it("removes one passkey, audited as user.passkeys_delete; the passkey stops working, the session stays", async () => {
    const { admin, headers } = await asAdmin();
    const site = await passkeySite();
    const { user, token, authenticator, passkeyId } = await userWithPasskey(site);
    const mark = await auditMark();
    const res = await call("/api/admin/user_passkeys_delete", { json: { auth_user_id: user.id, passkey_id: passkeyId }, headers });
    expect([res.status, (await json(res)).deleted]).toEqual([200, 1]);
    const [audit] = await auditAfter(mark, "user.passkeys_delete");
    expect(audit).toMatchObject({ actor_type: "admin", actor_id: admin.id, target_id: user.id, outcome: "success" });
    expect(JSON.parse(audit!.details)).toEqual({ passkey_id: passkeyId });
    expect((await passkeyLogin(site, authenticator)).body.error.code).toBe("passkey_not_found");
    expect((await me(token)).res.status).toBe(200);
    const again = await call("/api/admin/user_passkeys_delete", { json: { auth_user_id: user.id, passkey_id: passkeyId }, headers });
    expect([again.status, (await json(again)).error.code]).toEqual([404, "passkey_not_found"]);
  });

  it("without passkey_id removes all of them; another user's passkey id is not found", async () => {
    const { headers } = await asAdmin();
    const site = await passkeySite();
    const a = await userWithPasskey(site);
    await addPasskey(a.token, new SoftAuthenticator());
    const b = await userWithPasskey(site);
    const wrong = await call("/api/admin/user_passkeys_delete", { json: { auth_user_id: a.user.id, passkey_id: b.passkeyId }, headers });
    expect(wrong.status).toBe(404);
    const all = await call("/api/admin/user_passkeys_delete", { json: { auth_user_id: a.user.id }, headers });
    expect((await json(all)).deleted).toBe(2);
    expect(await passkeyRows(a.user.id)).toEqual([]);
    expect(await passkeyRows(b.user.id)).toHaveLength(1);
  });
});
