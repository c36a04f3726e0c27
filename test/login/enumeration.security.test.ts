import { afterEach, describe, expect, it, vi } from "vitest";
import { call, createSite } from "../helpers";
import { PASSWORD, auditRows, json, login, seedPasswordUser } from "./helpers";

afterEach(() => vi.useRealTimers());

let ipN = 0;
const ip = () => ({ "CF-Connecting-IP": `203.0.113.${100 + ++ipN}` });

/** Everything a client sees except the request id: status, headers, body bytes. */
async function observable(res: Response) {
  const requestId = res.headers.get("X-Request-Id")!;
  const text = await res.text();
  const headers = [...res.headers.entries()].filter(([k]) => k !== "x-request-id").sort();
  return { status: res.status, headers: JSON.stringify(headers), body: text.replace(requestId, "<id>") };
}

describe("no user enumeration on login", () => {
  it("answers unknown email, wrong password, pending and disabled accounts byte for byte the same", async () => {
    const active = await seedPasswordUser();
    const pending = await seedPasswordUser({ status: "pending" });
    const disabled = await seedPasswordUser({ status: "disabled" });
    const noPassword = await seedPasswordUser({ passwordHash: null });
    const cases = [
      { email: "unknown-person@example.com", password: PASSWORD },
      { email: active.email, password: "not the password" },
      { email: pending.email, password: PASSWORD },
      { email: disabled.email, password: PASSWORD },
      { email: noPassword.email, password: PASSWORD },
    ];
    const seen = [];
    for (const c of cases) seen.push(await observable(await login({ site_key: "demo", ...c }, ip())));
    expect(seen[0]!.status).toBe(401);
    expect(JSON.parse(seen[0]!.body).error.code).toBe("invalid_credentials");
    for (const s of seen) expect(s).toEqual(seen[0]);
    // The audit trail still tells them apart for operators.
    const reasons = (await auditRows("action = 'login.failure'")).map((r) => r.details.reason);
    expect(reasons).toEqual(["unknown_email", "wrong_password", "account_pending", "account_disabled", "account_active"]);
  });

  it("answers a locked existing email and a locked unknown email the same way", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    const user = await seedPasswordUser();
    const unknown = "unknown-locked@example.com";
    const locked: Awaited<ReturnType<typeof observable>>[] = [];
    for (const email of [user.email, unknown]) {
      for (let i = 0; i < 5; i++) await login({ site_key: "demo", email, password: "bad password!" }, ip());
      locked.push(await observable(await login({ site_key: "demo", email, password: "bad password!" }, ip())));
    }
    expect(locked[0]!.status).toBe(429);
    expect(locked[1]).toEqual(locked[0]);
  });

  it("sends no cookie and no session on any failure", async () => {
    const res = await call("/api/auth_login", { json: { site_key: "demo", email: "x@example.com", password: "whatever it is" } });
    expect(res.headers.get("Set-Cookie")).toBeNull();
    expect(res.headers.get("Cache-Control")).toBe("no-store");
  });

  it("refuses an inactive site before anything else", async () => {
    await createSite("closed", { status: "inactive" });
    const res = await login({ site_key: "closed", email: "x@example.com", password: "whatever it is" });
    expect(res.status).toBe(403);
    expect((await json(res)).error.code).toBe("site_inactive");
  });

  it("validates input: missing password in password mode, bad email", async () => {
    const a = await login({ site_key: "demo", email: "x@example.com" });
    expect(a.status).toBe(400);
    expect((await json(a)).error.fields).toEqual({ password: "Required" });
    const b = await login({ site_key: "demo", email: "not an email", password: "whatever it is" });
    expect(b.status).toBe(400);
    expect((await json(b)).error.fields).toHaveProperty("email");
  });
});
