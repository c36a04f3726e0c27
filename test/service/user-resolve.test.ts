import { beforeAll, describe, expect, it } from "vitest";
import { call, json } from "../helpers";
import { auditRows, callService, makeServiceKey, seedUser } from "./helpers";

const PATH = "/api/service/user_resolve";
let serviceKey: { id: string; secret: string };

beforeAll(async () => {
  const made = await makeServiceKey(["user_resolve"], "hr-sync");
  serviceKey = { id: made.key.id, secret: made.secret };
});

describe("POST /api/service/user_resolve", () => {
  it("resolves by auth_user_id to the canonical payload, without secrets, and audits it", async () => {
    const user = await seedUser({ name: "Linus", department: "Kernel", passwordHash: "$scrypt$ln=10,r=8,p=1$c2FsdA$aGFzaA", avatarKey: "abc123" });
    const res = await callService(PATH, serviceKey.secret, { auth_user_id: user.id });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.ok).toBe(true);
    expect(Object.keys(body.user).sort()).toEqual(
      ["auth_user_id", "avatar_url", "created_at", "department", "display_name", "email", "email_verified", "job_title", "last_login_at", "locale", "name", "phone", "status", "timezone", "totp_enabled", "updated_at"].sort(),
    );
    expect(body.user).toMatchObject({ auth_user_id: user.id, name: "Linus", department: "Kernel", avatar_url: `https://auth.test/api/avatars/${user.id}/abc123` });
    expect(JSON.stringify(body)).not.toContain("$scrypt$");
    const audit = (await auditRows("service.user_resolve")).find((r) => r.target_id === user.id);
    expect(audit).toMatchObject({ actor_type: "service", actor_id: serviceKey.id, outcome: "success", details: { by: "id" } });
  });

  it("resolves by email, normalised (case, spaces)", async () => {
    const user = await seedUser({ email: "mixed.case@example.com" });
    const res = await callService(PATH, serviceKey.secret, { email: "  Mixed.CASE@Example.com " });
    expect((await json(res)).user.auth_user_id).toBe(user.id);
  });

  it("reports any status (pending, disabled) so backends can decide", async () => {
    const pending = await seedUser({ status: "pending" });
    expect((await json(await callService(PATH, serviceKey.secret, { auth_user_id: pending.id }))).user.status).toBe("pending");
  });

  it("404 user_not_found for unknown id or email, audited as a failure", async () => {
    for (const body of [{ auth_user_id: "does-not-exist" }, { email: "nobody@example.com" }, { auth_user_id: "x".repeat(128) }]) {
      const res = await callService(PATH, serviceKey.secret, body);
      expect(res.status).toBe(404);
      expect((await json(res)).error.code).toBe("user_not_found");
    }
    expect((await auditRows("service.user_resolve")).filter((r) => r.outcome === "failure").length).toBeGreaterThanOrEqual(3);
  });

  it("400 when neither, both, or an invalid email is given", async () => {
    const user = await seedUser();
    for (const body of [{}, { auth_user_id: "", email: " " }, { auth_user_id: user.id, email: user.email }, { email: "not-an-email" }, { auth_user_id: 5 }]) {
      const res = await callService(PATH, serviceKey.secret, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await json(res)).error.code).toBe("invalid_request");
    }
  });

  it("accepts form posts and the .php path; an empty other field counts as absent", async () => {
    const user = await seedUser();
    const res = await call("/api/service/user_resolve.php", { form: { auth_user_id: user.id, email: "" }, headers: { "X-Service-Key": serviceKey.secret } });
    expect(res.status).toBe(200);
    expect((await json(res)).user.auth_user_id).toBe(user.id);
  });
});
