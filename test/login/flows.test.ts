import { afterEach, describe, expect, it, vi } from "vitest";
import { LOGIN_MODES, TWOFA_MODES } from "../../src/lib/site-policy";
import { createSite } from "../helpers";
import { PASSWORD, auditRows, call, captureMail, json, login, me, seedPasswordUser, seedTotpUser, sessionRows, totpCode, verify } from "./helpers";

afterEach(() => vi.restoreAllMocks());

let ipCounter = 0;
const freshIp = () => ({ "CF-Connecting-IP": `198.51.100.${++ipCounter}` });

function expectedFactors(primary: "password" | "email_otp", twofa: string, totp: boolean): string[] {
  if (primary === "email_otp") return twofa !== "off" && totp ? ["email_otp", "totp"] : ["email_otp"];
  if (twofa === "off") return ["password"];
  if (totp) return ["password", "totp"];
  return twofa === "required" ? ["password", "email_otp"] : ["password"];
}

describe("every login_mode × twofa_mode, end to end over HTTP", () => {
  for (const mode of LOGIN_MODES) {
    for (const twofa of TWOFA_MODES) {
      it(`${mode} × ${twofa}`, async () => {
        const mail = captureMail();
        const siteKey = `s-${mode}-${twofa}`.replace(/_/g, "-");
        await createSite(siteKey, { policy: { login_mode: mode, twofa_mode: twofa } });
        const primaries: ("password" | "email_otp")[] = mode === "password" ? ["password"] : mode === "email_otp" ? ["email_otp"] : ["password", "email_otp"];
        for (const primary of primaries) {
          for (const withTotp of [false, true]) {
            const headers = freshIp();
            const { user, secret } = withTotp ? await seedTotpUser() : { user: await seedPasswordUser(), secret: "" };
            const expected = expectedFactors(primary, twofa, withTotp);
            let res = await login({ site_key: siteKey, email: user.email.toUpperCase(), ...(primary === "password" ? { password: PASSWORD } : {}) }, headers);
            let body = await json(res);
            expect(res.status, JSON.stringify(body)).toBe(200);
            const seen: string[] = [primary];
            while (body.status === "factor_required") {
              const { challenge } = body;
              expect(challenge.destination).toMatch(/^u\*+\d?.*@example\.com$/);
              expect(res.headers.get("Set-Cookie")).toBeNull();
              // The challenge token is not a session.
              expect((await me(challenge.token)).status).toBe(401);
              const code = challenge.factor === "totp" ? totpCode(secret) : mail.lastCode(user.email);
              if (challenge.factor === "email_otp" && seen[seen.length - 1] !== "email_otp") seen.push("email_otp");
              if (challenge.factor === "totp") seen.push("totp");
              res = await verify(challenge.token, code, headers);
              body = await json(res);
              expect(res.status, JSON.stringify(body)).toBe(200);
            }
            expect(body.status).toBe("authenticated");
            expect(seen).toEqual(expected);
            expect(body.user).toMatchObject({ auth_user_id: user.id, email: user.email, totp_enabled: withTotp });
            expect(body.user.last_login_at).not.toBeNull();
            expect(res.headers.get("Set-Cookie")).toContain(`__Host-auth2_session=${body.session.token}`);
            const who = await me(body.session.token);
            expect(who.status).toBe(200);
            expect((await json(who)).session).toMatchObject({ site_key: siteKey, factors: expected });
            const rows = await sessionRows(user.id);
            expect(rows).toHaveLength(1);
            expect(JSON.stringify(rows)).not.toContain(body.session.token.split(".")[1]);
            const audit = await auditRows(`target_id = '${user.id}' AND action = 'login.success'`);
            expect(audit).toHaveLength(1);
          }
        }
      });
    }
  }
});

describe("session lifetime from the site's policy", () => {
  it("uses session_ttl_seconds for expiry and cookie Max-Age, idle_timeout_seconds in the DO", async () => {
    await createSite("ttl", { policy: { session_ttl_seconds: 1800, idle_timeout_seconds: 600 } });
    const user = await seedPasswordUser();
    const before = Date.now();
    const res = await login({ site_key: "ttl", email: user.email, password: PASSWORD });
    const body = await json(res);
    const expires = Date.parse(body.session.expires_at);
    expect(expires).toBeGreaterThanOrEqual(before + 1_800_000);
    expect(expires).toBeLessThan(Date.now() + 1_800_000 + 1000);
    const cookie = res.headers.get("Set-Cookie")!;
    expect(cookie).toMatch(/^__Host-auth2_session=[^;]+; Max-Age=1800; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    const rows = await sessionRows(user.id);
    expect(rows[0]).toMatchObject({ idle_seconds: 600, site_key: "ttl", ip: "203.0.113.10" });
  });

  it("answers form posts at the .php path the same way", async () => {
    const user = await seedPasswordUser();
    const res = await call("/api/auth_login.php", { form: { site_key: "demo", email: user.email, password: PASSWORD } });
    expect(res.status).toBe(200);
    expect((await json(res)).status).toBe("authenticated");
  });
});
