import { describe, expect, it } from "vitest";
import { config, db } from "../helpers";
import { findUserById } from "../../src/store/users";
import { verifyPassword } from "../../src/crypto/password-hash";
import { env } from "cloudflare:test";
import { seedUser } from "../sessions/fixtures";
import { auditRows, json, login, seedPasswordUser } from "./helpers";

// Vectors from test/foundation/password.test.ts.
const BCRYPT = { hash: "$2y$10$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a", password: "rasmuslerdorf" };
const ARGON2ID = { hash: "$argon2id$v=19$m=4096,t=3,p=1$YXV0aDItaW1wb3J0LXNhbHQ$iiZGZ2MeLBvab4o6247s7rm5U8+0fRRb+1GIrSg382g", password: "correct horse battery staple" };

describe("rehash on login", () => {
  for (const [name, vector] of Object.entries({ bcrypt: BCRYPT, argon2id: ARGON2ID })) {
    it(`replaces an imported ${name} hash with scrypt at the current parameters`, async () => {
      const user = await seedUser({ passwordHash: vector.hash });
      const res = await login({ site_key: "demo", email: user.email, password: vector.password });
      expect(res.status).toBe(200);
      const row = (await findUserById(db(), user.id))!;
      const { ln, r, p } = config().scrypt;
      expect(row.passwordHash).toMatch(new RegExp(`^\\$scrypt\\$ln=${ln},r=${r},p=${p},pepper=1\\$`));
      expect(await verifyPassword(vector.password, row.passwordHash!, { scrypt: config().scrypt, pepper: env.PASSWORD_PEPPER })).toBe(true);
      expect(row.lastLoginAt).not.toBeNull();
      const audit = await auditRows(`target_id = '${user.id}' AND action = 'login.success'`);
      expect(audit[0]!.details).toMatchObject({ upgraded: true });
      // And the new hash signs in too.
      expect((await login({ site_key: "demo", email: user.email, password: vector.password })).status).toBe(200);
    });
  }

  it("rehashes scrypt hashes with old parameters, leaves current ones alone", async () => {
    const { hashPassword } = await import("../../src/crypto/password-hash");
    const old = await hashPassword("an old password!", { scrypt: { ln: 9, r: 8, p: 1 }, pepper: env.PASSWORD_PEPPER });
    const user = await seedUser({ passwordHash: old });
    expect((await login({ site_key: "demo", email: user.email, password: "an old password!" })).status).toBe(200);
    expect((await findUserById(db(), user.id))!.passwordHash).not.toBe(old);
    const current = await seedPasswordUser();
    expect((await json(await login({ site_key: "demo", email: current.email, password: "correct horse battery staple" }))).status).toBe("authenticated");
    expect((await findUserById(db(), current.id))!.passwordHash).toBe(current.passwordHash);
  });

  it("does not rehash on a wrong password", async () => {
    const user = await seedUser({ passwordHash: BCRYPT.hash });
    expect((await login({ site_key: "demo", email: user.email, password: "rasmuslerdorF" })).status).toBe(401);
    expect((await findUserById(db(), user.id))!.passwordHash).toBe(BCRYPT.hash);
  });
});
