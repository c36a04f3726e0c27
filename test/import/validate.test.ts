import { describe, expect, it } from "vitest";
import { readImport } from "../../scripts/lib/import/read";
import { formatErrors } from "../../scripts/lib/import/report";
import { checkHash, validateRows } from "../../scripts/lib/import/validate";

const NOW = Date.UTC(2026, 10, 1);
const BCRYPT = "$2y$10$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a";
const ARGON2ID = "$argon2id$v=19$m=4096,t=3,p=1$YXV0aDItaW1wb3J0LXNhbHQ$iiZGZ2MeLBvab4o6247s7rm5U8+0fRRb+1GIrSg382g";

function validateCsv(text: string) {
  const read = readImport(text, "csv");
  expect(read.errors).toEqual([]);
  return validateRows(read.rows, NOW);
}

describe("row validation", () => {
  it("normalises a good row and keeps only the columns the file has", () => {
    const { users, errors } = validateCsv(
      `email,name,status,password_hash,created_at,locale,timezone,email_verified,external_id\n` +
        ` Jane.Doe@Example.COM ,"  Jane  Doe ",Active,${BCRYPT},2021-03-04 10:11:12,de-CH,Europe/Zurich,yes,42\n`,
    );
    expect(errors).toEqual([]);
    expect(users).toEqual([
      {
        line: 2,
        email: "jane.doe@example.com",
        name: "Jane  Doe",
        status: "active",
        password_hash: BCRYPT,
        created_at: Date.UTC(2021, 2, 4, 10, 11, 12),
        locale: "de-CH",
        timezone: "Europe/Zurich",
        email_verified: true,
        external_id: "42",
      },
    ]);
    expect("phone" in users[0]!).toBe(false);
  });

  it("stores locales in canonical form, as the Worker does", () => {
    const { users, errors } = validateCsv(`email,name,locale\na@x.io,A,de_ch\nb@x.io,B,EN\nc@x.io,C,zh-hant-tw\n`);
    expect(errors).toEqual([]);
    expect(users.map((u) => u.locale)).toEqual(["de-CH", "en", "zh-Hant-TW"]);
  });

  it("reads created_at as ISO 8601 (with zone), a date, epoch seconds or epoch milliseconds", () => {
    const { users, errors } = validateCsv(
      "email,created_at\na@x.io,2020-01-02T03:04:05+02:00\nb@x.io,2020-01-02\nc@x.io,1600000000\nd@x.io,1600000000123\ne@x.io,\n",
    );
    expect(errors).toEqual([]);
    expect(users.map((u) => u.created_at)).toEqual([Date.UTC(2020, 0, 2, 1, 4, 5), Date.UTC(2020, 0, 2), 1600000000000, 1600000000123, undefined]);
  });

  it("folds line breaks and tabs in text fields into one space", () => {
    const { users, errors } = validateCsv('email,name,job_title\na@x.io,"Jane\r\nDoe","Lead\tEngineer"\n');
    expect(errors).toEqual([]);
    expect(users[0]).toMatchObject({ name: "Jane Doe", job_title: "Lead Engineer" });
  });

  it("reports every bad field with its line number, counting lines of multi-line records", () => {
    const long = "x".repeat(101);
    const text = [
      "email,name,status,password_hash,created_at,locale,timezone,email_verified,phone",
      `"a@x.io","Line 1\nLine 2",active,,,,,,`, // lines 2-3: fine
      `not-an-email,,,,,,,,`, // 4
      `A@X.IO,,,,,,,,`, // 5: duplicate of line 2 after normalising
      `b@x.io,${long},enabled,,,,,,`, // 6: name too long, bad status
      `c@x.io,,,5f4dcc3b5aa765d61d8327deb882cf99,,,,,`, // 7: md5
      `d@x.io,,,,tomorrow,xx_not_a_locale!,Mars/Olympus,maybe,`, // 8
      `e@x.io,,,,2999-01-01,,,,`, // 9: future
      `f@x.io,"bell\u0007",,,,,,,`, // 10: control character
      `,,,,,,,,`, // 11: no email
    ].join("\n");
    const read = readImport(text, "csv");
    const { users, errors } = validateRows(read.rows, NOW);
    expect(users.map((u) => u.email)).toEqual(["a@x.io"]);
    expect(errors).toEqual([
      { line: 4, field: "email", message: "is not a valid email address" },
      { line: 5, field: "email", message: "duplicate of line 2 (emails compare trimmed and lower-cased)" },
      { line: 6, field: "name", message: "is longer than 100 characters" },
      { line: 6, field: "status", message: "must be one of pending, active, disabled" },
      { line: 7, field: "password_hash", message: "is not a bcrypt ($2y$/$2a$/$2b$) or $argon2id$ hash" },
      { line: 8, field: "locale", message: "is not a language tag such as en or de-CH" },
      { line: 8, field: "timezone", message: "is not an IANA time zone such as Europe/Zurich" },
      { line: 8, field: "email_verified", message: "must be true/false, 1/0 or yes/no" },
      { line: 8, field: "created_at", message: expect.stringContaining("ISO 8601") },
      { line: 9, field: "created_at", message: expect.stringContaining("not in the future") },
      { line: 10, field: "name", message: "contains control characters" },
      { line: 11, field: "email", message: "is required" },
    ]);
    expect(formatErrors(errors).split("\n")[0]).toBe("  line 4: email: is not a valid email address");
  });

  it("keeps bcrypt $2y$/$2a$/$2b$ and argon2id hashes and refuses every other format", () => {
    for (const ok of [BCRYPT, BCRYPT.replace("$2y$", "$2a$"), BCRYPT.replace("$2y$", "$2b$"), ARGON2ID]) expect(checkHash(ok)).toBeNull();
    const bad = [
      "$1$abcdefgh$abcdefghijklmnopqrstuv", // md5-crypt
      "$6$rounds=5000$salt$hash", // sha512-crypt
      "$scrypt$ln=14,r=8,p=5$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
      "$argon2i$v=19$m=4096,t=3,p=1$YXV0aDItaW1wb3J0LXNhbHQ$iiZGZ2MeLBvab4o6247s7rm5U8+0fRRb+1GIrSg382g",
      "$argon2id$v=19$m=999999,t=3,p=1$YXV0aDItaW1wb3J0LXNhbHQ$iiZGZ2MeLBvab4o6247s7rm5U8+0fRRb+1GIrSg382g",
      "$argon2id$v=19$m=4096,t=3$YXV0aDItaW1wb3J0LXNhbHQ$iiZGZ2MeLBvab4o6247s7rm5U8+0fRRb+1GIrSg382g",
      "$2y$10$short",
      "$2y$31$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a", // cost too high to verify at login
      "plaintext-password",
    ];
    for (const hash of bad) expect(checkHash(hash), hash).not.toBeNull();
  });

  it("validates JSON lines values of other types", () => {
    const read = readImport(
      [
        `{"email":"a@x.io","email_verified":1,"created_at":1600000000,"phone":4144123,"status":"PENDING"}`,
        `{"email":"b@x.io","name":true}`,
        `{"email":"c@x.io","created_at":false}`,
      ].join("\n"),
      "jsonl",
    );
    const { users, errors } = validateRows(read.rows, NOW);
    expect(users).toEqual([{ line: 1, email: "a@x.io", email_verified: true, created_at: 1600000000000, phone: "4144123", status: "pending" }]);
    expect(errors.map((e) => [e.line, e.field])).toEqual([
      [2, "name"],
      [3, "created_at"],
    ]);
  });
});
