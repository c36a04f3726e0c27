import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { findUserById } from "../../src/store/users";
import { db, json } from "../helpers";
import { auditRows } from "../service/helpers";
import { signedInUser } from "./helpers";

const PATH = "/api/auth_profile_update";

describe("POST /api/auth_profile_update", () => {
  it("changes the allowed fields (trimmed), returns the canonical user, audits, and refreshes the session snapshot", async () => {
    const me = await signedInUser({ name: "Old Name" });
    const res = await me.post(PATH, {
      name: "  New Name ",
      display_name: "nn",
      phone: "+41 44 123 45 67",
      job_title: "Engineer",
      department: "Platform",
      locale: "de-ch",
      timezone: "Europe/Zurich",
      site_key: "demo",
    });
    expect(res.status).toBe(200);
    const { user } = await json(res);
    expect(user).toMatchObject({
      auth_user_id: me.user.id,
      name: "New Name",
      display_name: "nn",
      phone: "+41 44 123 45 67",
      job_title: "Engineer",
      department: "Platform",
      locale: "de-CH",
      timezone: "Europe/Zurich",
      email: me.user.email,
      status: "active",
    });
    const row = (await findUserById(db(), me.user.id))!;
    expect(row.name).toBe("New Name");
    expect(row.updatedAt).toBeGreaterThanOrEqual(me.user.updatedAt);
    const me2 = await json(await me.get("/api/auth_me"));
    expect(me2.user.name).toBe("New Name");
    expect(me2.user.timezone).toBe("Europe/Zurich");
    const audit = (await auditRows("profile.update")).find((r) => r.actor_id === me.user.id);
    expect(audit).toMatchObject({ actor_type: "user", target_id: me.user.id, outcome: "success" });
    expect(audit!.details.fields.sort()).toEqual(["department", "display_name", "job_title", "locale", "name", "phone", "timezone"]);
  });

  it("clears optional fields with empty string or null; leaves unsent fields alone", async () => {
    const me = await signedInUser({ phone: "+1 555 0100", department: "Ops", jobTitle: "Lead" });
    const { user } = await json(await me.post(PATH, { phone: "", department: null }));
    expect(user).toMatchObject({ phone: null, department: null, job_title: "Lead" });
  });

  it("refuses email, status, role, password, ids and unknown fields with field_not_allowed, changing nothing", async () => {
    const me = await signedInUser({ name: "Keep" });
    for (const extra of [
      { email: "new@example.com" },
      { status: "disabled" },
      { role: "admin" },
      { password: "hunter2hunter2" },
      { auth_user_id: "someone-else" },
      { id: "x" },
      { user_id: "x" },
      { avatar_key: "x" },
      { email_verified: true },
      { totp_enabled: false },
      { nickname: "unknown field" },
    ]) {
      const res = await me.post(PATH, { name: "Changed", ...extra });
      expect(res.status, JSON.stringify(extra)).toBe(400);
      const body = await json(res);
      expect(body.error.code).toBe("field_not_allowed");
      expect(Object.keys(body.error.fields)).toEqual(Object.keys(extra));
    }
    expect((await findUserById(db(), me.user.id))!.name).toBe("Keep");
  });


  it("enforces length limits and formats", async () => {
    const me = await signedInUser();
    for (const body of [
      { name: "" },
      { name: "   " },
      { name: null },
      { name: "n".repeat(101) },
      { display_name: "d".repeat(101) },
      { job_title: "j".repeat(101) },
      { department: "d".repeat(101) },
      { phone: "1".repeat(33) },
      { phone: "call me" },
      { locale: "not a locale!" },
      { timezone: "Mars/Olympus_Mons" },
      { name: "line\nbreak" },
      { name: 42 },
      {},
    ]) {
      const res = await me.post(PATH, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await json(res)).error.code).toBe("invalid_request");
    }
    expect((await me.post(PATH, { name: "n".repeat(100) })).status).toBe(200);
  });

  it("changes only the session's own user", async () => {
    const me = await signedInUser({ name: "Me" });
    const other = await signedInUser({ name: "Other" });
    await me.post(PATH, { name: "Renamed" });
    expect((await findUserById(db(), other.user.id))!.name).toBe("Other");
    const { results } = await env.DB.prepare("SELECT name FROM users WHERE id = ?").bind(me.user.id).all<{ name: string }>();
    expect(results[0]!.name).toBe("Renamed");
  });
});
