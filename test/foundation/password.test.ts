import { describe, expect, it } from "vitest";
import { burnPasswordTime, hashKind, hashPassword, needsRehash, verifyPassword } from "../../src/crypto/password-hash";
import { checkPasswordRules, commonPasswordCount } from "../../src/crypto/password-policy";
import { generateNumericCode, generateToken } from "../../src/crypto/random";
import { constantTimeEqual, hmacHex, sha256Hex } from "../../src/crypto/hmac";

const cheap = { scrypt: { ln: 10, r: 8, p: 1 }, pepper: "pepper-1" };

describe("password hashing", () => {
  it("round-trips a scrypt PHC string and refuses a wrong password", async () => {
    const stored = await hashPassword("correct horse battery staple", cheap);
    expect(stored).toMatch(/^\$scrypt\$ln=10,r=8,p=1,pepper=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await verifyPassword("correct horse battery staple", stored, cheap)).toBe(true);
    expect(await verifyPassword("correct horse battery stapler", stored, cheap)).toBe(false);
    expect(await verifyPassword("correct horse battery staple", stored, { ...cheap, pepper: "other" })).toBe(false);
  });

  it("salts every hash", async () => {
    expect(await hashPassword("same password", cheap)).not.toBe(await hashPassword("same password", cheap));
  });

  it("handles 256-character and Unicode passwords without truncation, NFC-normalised", async () => {
    const long = "ä".repeat(255) + "x";
    const stored = await hashPassword(long, cheap);
    expect(await verifyPassword(long, stored, cheap)).toBe(true);
    expect(await verifyPassword("ä".repeat(255) + "y", stored, cheap)).toBe(false);
    const composed = "caf\u00e9-p\u00e4ssword";
    const decomposed = "cafe\u0301-pa\u0308ssword";
    const s2 = await hashPassword(composed, cheap);
    expect(await verifyPassword(decomposed, s2, cheap)).toBe(true);
  });

  it("verifies PHP bcrypt $2y$ hashes and flags them for rehash", async () => {
    // From PHP's password_verify documentation.
    const php = "$2y$10$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a";
    expect(hashKind(php)).toBe("bcrypt");
    expect(await verifyPassword("rasmuslerdorf", php, cheap)).toBe(true);
    expect(await verifyPassword("rasmuslerdorF", php, cheap)).toBe(false);
    expect(needsRehash(php, cheap)).toBe(true);
  });

  it("verifies argon2id PHC hashes made by another implementation and flags them for rehash", async () => {
    // Vectors made with hash-wasm's argon2id (an independent implementation).
    const v1 = "$argon2id$v=19$m=4096,t=3,p=1$YXV0aDItaW1wb3J0LXNhbHQ$iiZGZ2MeLBvab4o6247s7rm5U8+0fRRb+1GIrSg382g";
    const v2 = "$argon2id$v=19$m=8192,t=2,p=2$YXV0aDItaW1wb3J0LXNhbHQ$rOSrZmv1SiaENEgao6L3BSn2HPZECA42B3YnzfYSImw";
    expect(await verifyPassword("correct horse battery staple", v1, cheap)).toBe(true);
    expect(await verifyPassword("correct horse battery stapl", v1, cheap)).toBe(false);
    expect(await verifyPassword("pässwörd-ünïcode", v2, cheap)).toBe(true);
    expect(needsRehash(v1, cheap)).toBe(true);
  });

  it("flags scrypt hashes with old parameters or pepper state for rehash", async () => {
    const current = await hashPassword("a long enough password", cheap);
    expect(needsRehash(current, cheap)).toBe(false);
    expect(needsRehash(current, { ...cheap, scrypt: { ln: 11, r: 8, p: 1 } })).toBe(true);
    expect(needsRehash(current, { scrypt: cheap.scrypt })).toBe(true);
  });

  it("never verifies unknown or malformed formats", async () => {
    for (const stored of ["", "plaintext", "$1$abc$def", "$scrypt$ln=99,r=8,p=1$AAAA$AAAA", "$argon2id$v=19$m=99999999,t=1,p=1$AAAA$AAAA", "$2y$10$short"]) {
      expect(await verifyPassword("plaintext", stored, cheap)).toBe(false);
    }
  });

  it("spends verify-like time for unknown accounts", async () => {
    await burnPasswordTime("whatever", cheap);
    const start = Date.now();
    await burnPasswordTime("whatever", cheap);
    expect(Date.now() - start).toBeGreaterThanOrEqual(0);
  });

  it("runs with the production parameters (ln=14, r=8, p=5)", async () => {
    const prod = { scrypt: { ln: 14, r: 8, p: 5 } };
    const stored = await hashPassword("production parameters work", prod);
    expect(stored.startsWith("$scrypt$ln=14,r=8,p=5$")).toBe(true);
    expect(await verifyPassword("production parameters work", stored, prod)).toBe(true);
  }, 60_000);
});

describe("password rules", () => {
  it("bundles at least 10 000 common passwords", () => {
    expect(commonPasswordCount()).toBeGreaterThanOrEqual(10_000);
  });

  it("refuses common passwords in any case", () => {
    expect(checkPasswordRules("password123")).toBe("password_too_common");
    expect(checkPasswordRules("PASSWORD")).toBe("password_too_common");
    expect(checkPasswordRules("1qaz2wsx")).toBe("password_too_common");
  });

  it("enforces 8..256 characters counted after NFC and the site's minimum", () => {
    expect(checkPasswordRules("Ab3$x9z")).toBe("password_too_short");
    expect(checkPasswordRules("Zq8#mv2!w")).toBeNull();
    expect(checkPasswordRules("Zq8#mv2!w", 12)).toBe("password_too_short");
    expect(checkPasswordRules("Zq8#mv2!w", 4)).toBeNull();
    expect(checkPasswordRules("ü".repeat(256))).toBeNull();
    expect(checkPasswordRules("ü".repeat(257))).toBe("password_too_long");
    expect(checkPasswordRules("u\u0308".repeat(256))).toBeNull();
  });
});

describe("random and HMAC helpers", () => {
  it("makes 6-digit codes and ≥128-bit tokens", () => {
    const codes = new Set(Array.from({ length: 200 }, () => generateNumericCode()));
    for (const c of codes) expect(c).toMatch(/^\d{6}$/);
    expect(codes.size).toBeGreaterThan(190);
    expect(generateToken(16)).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it("hashes and compares", () => {
    expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    // Multi-byte text hashes its UTF-8 bytes (stored key hashes must not change with the implementation).
    expect(sha256Hex("é")).toBe("4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c");
    expect(hmacHex("key", "The quick brown fox jumps over the lazy dog")).toBe("f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
    expect(constantTimeEqual("abc", "abc")).toBe(true);
    expect(constantTimeEqual("abc", "abd")).toBe(false);
    expect(constantTimeEqual("abc", "abcd")).toBe(false);
  });
});
