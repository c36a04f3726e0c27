import { describe, expect, it } from "vitest";
import { ADMIN_PASSWORD, auditAfter, auditMark, loginAdmin, seedAdmin } from "./fixtures";

describe("admin login throttle", () => {
  it("per email: 3 failures → 429 with Retry-After, even for the right password; unknown emails behave the same", async () => {
    const admin = await seedAdmin();
    for (const email of [admin.email, "unknown-admin@example.com"]) {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await loginAdmin(email, "wrong password!!", {}, `198.51.100.${60 + i}`)).res.status);
      expect(statuses, email).toEqual([401, 401, 401, 429]);
      const right = await loginAdmin(email, ADMIN_PASSWORD, {}, "198.51.100.70");
      expect(right.res.status).toBe(429);
      expect(right.body.error.code).toBe("rate_limited");
      expect(Number(right.res.headers.get("Retry-After"))).toBeGreaterThan(0);
      expect(right.body.error.retry_after).toBeGreaterThan(0);
    }
  });

  it("per address: failures across many emails from one IP are capped", async () => {
    const mark = await auditMark();
    const ip = "198.51.100.99";
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await loginAdmin(`spray${i}@example.com`, "wrong password!!", {}, ip)).res.status);
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses[10]).toBe(429);
    // A different address is not affected.
    const admin = await seedAdmin();
    expect((await loginAdmin(admin.email, ADMIN_PASSWORD, {}, "198.51.100.100")).res.status).toBe(200);
    // Every refused password attempt left one failure row; throttled attempts are not password checks.
    const failures = await auditAfter(mark, "admin.login");
    expect(failures.filter((r) => r.outcome === "failure")).toHaveLength(10);
  });

  it("IPv6 addresses are throttled by /64", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await loginAdmin(`v6spray${i}@example.com`, "wrong password!!", {}, `2001:db8:1:2::${i + 1}`)).res.status);
    expect(statuses[10]).toBe(429);
  });

  it("a success clears the email's failures", async () => {
    const admin = await seedAdmin();
    await loginAdmin(admin.email, "wrong password!!", {}, "198.51.100.120");
    await loginAdmin(admin.email, "wrong password!!", {}, "198.51.100.121");
    expect((await loginAdmin(admin.email, ADMIN_PASSWORD, {}, "198.51.100.122")).res.status).toBe(200);
    await loginAdmin(admin.email, "wrong password!!", {}, "198.51.100.123");
    await loginAdmin(admin.email, "wrong password!!", {}, "198.51.100.124");
    expect((await loginAdmin(admin.email, ADMIN_PASSWORD, {}, "198.51.100.125")).res.status).toBe(200);
  });
});
