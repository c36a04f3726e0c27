import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { maskEmail } from "../../src/lib/email";
import { sessionRows } from "../login/helpers";
import { ORIGIN, assertion, auditOf, passkeyRows, passkeySite, registerOptions, signedInUser, userWithPasskey } from "../passkeys/http";
import { SoftAuthenticator } from "../passkeys/soft-authenticator";
import { callWith, sweep } from "./inject";

// The passkey writes under a D1 or Durable Object failure at each of their storage steps: 503 with
// the envelope, and nothing half-done — no session without its login.success row, no passkey without
// its audit row and owed notice mail (and none of those without the passkey).

let ip = 0;
const freshIp = () => `198.51.101.${(++ip % 250) + 1}`;

describe("passkeys under storage faults", () => {
  it("auth_passkey_login_verify: a failure at any step leaves no session without its success row, nor a row without a session", async () => {
    const site = await passkeySite();
    const steps = await sweep({
      setup: async () => {
        const { user, authenticator } = await userWithPasskey(site, { counter: "zero" });
        return { user, credential: await assertion(site, authenticator) };
      },
      act: (e, f) => callWith(e, "/api/auth_passkey_login_verify", { json: { site_key: site, credential: f.credential }, headers: { "CF-Connecting-IP": freshIp() } }),
      okStatus: 200,
      verify: async (f, res) => {
        const n = res.status === 200 ? 1 : 0;
        const sessions = (await sessionRows(f.user.id)).filter((s) => JSON.parse(String(s.factors))[0] === "passkey");
        const success = (await auditOf("login.success", f.user.id)).filter((r) => r.details.method === "passkey");
        expect(sessions, "passkey sessions").toHaveLength(n);
        expect(success, "login.success rows").toHaveLength(n);
      },
    });
    const labels = steps.map((s) => s.label).join("\n");
    expect(labels).toMatch(/do Limiter\.takePasskeyChallenge/);
    expect(labels).toMatch(/from "passkeys"/i);
    expect(labels).toMatch(/do UserState\.createSession/);
  });

  it("auth_passkey_register_verify: the passkey, its audit row and its notice commit together or not at all", async () => {
    const site = await passkeySite();
    await sweep({
      setup: async () => {
        const { user, token } = await signedInUser(site);
        const options = await registerOptions(token);
        const credential = await new SoftAuthenticator().register(options.body.options, { origin: ORIGIN });
        return { user, token, credential };
      },
      act: (e, f) => callWith(e, "/api/auth_passkey_register_verify", { json: { credential: f.credential }, headers: { Authorization: `Bearer ${f.token}`, "CF-Connecting-IP": freshIp() } }),
      okStatus: 200,
      verify: async (f, res) => {
        const n = res.status === 200 ? 1 : 0;
        expect(await passkeyRows(f.user.id), "passkeys").toHaveLength(n);
        expect((await auditOf("passkey.register", f.user.id)).filter((r) => r.outcome === "success"), "audit").toHaveLength(n);
        const owed = await env.DB.prepare("SELECT COUNT(*) AS n FROM mail_outbox WHERE template = 'passkey_added' AND recipient = ?")
          .bind(maskEmail(f.user.email))
          .first<{ n: number }>();
        const logged = await env.DB.prepare("SELECT COUNT(*) AS n FROM mail_log WHERE template = 'passkey_added' AND recipient = ?").bind(f.user.email).first<{ n: number }>();
        // Owed exactly when the passkey committed: still in the outbox, or already claimed by the consumer.
        expect((owed?.n ?? 0) + (logged?.n ?? 0) > 0, "notice owed").toBe(n === 1);
      },
    });
  });
});
