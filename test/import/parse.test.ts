import { describe, expect, it } from "vitest";
import { parseCsv } from "../../scripts/lib/import/csv";
import { detectFormat, readImport } from "../../scripts/lib/import/read";

describe("CSV parsing (RFC 4180)", () => {
  it("reads quoted fields with commas, doubled quotes and line breaks, and numbers records by their first line", () => {
    const text = [
      "email,name,department",
      'a@example.com,"Doe, Jane","R&D ""Lab"""',
      'b@example.com,"two',
      'lines",Sales',
      "c@example.com,,",
    ].join("\r\n");
    const { records, errors } = parseCsv(text);
    expect(errors).toEqual([]);
    expect(records).toEqual([
      { line: 1, fields: ["email", "name", "department"] },
      { line: 2, fields: ["a@example.com", "Doe, Jane", 'R&D "Lab"'] },
      { line: 3, fields: ["b@example.com", "two\r\nlines", "Sales"] },
      { line: 5, fields: ["c@example.com", "", ""] },
    ]);
  });

  it("accepts LF, a BOM, blank lines, a missing final line end and an empty last field", () => {
    const { records, errors } = parseCsv("\uFEFFemail,name\n\na@example.com,\n\nb@example.com,B");
    expect(errors).toEqual([]);
    expect(records).toEqual([
      { line: 1, fields: ["email", "name"] },
      { line: 3, fields: ["a@example.com", ""] },
      { line: 5, fields: ["b@example.com", "B"] },
    ]);
  });

  it("keeps a quoted empty field and a quoted field holding only a quote", () => {
    const { records } = parseCsv('email,name\na@example.com,""\nb@example.com,""""\n');
    expect(records[1]!.fields).toEqual(["a@example.com", ""]);
    expect(records[2]!.fields).toEqual(["b@example.com", '"']);
  });

  it("reports quote errors with the line they are on and carries on with the next line", () => {
    const { records, errors } = parseCsv('email,name\na@example.com,"Jane"x\nb@example.com,Ja"ne\nc@example.com,ok\n');
    expect(errors).toEqual([
      { line: 2, message: "unexpected character after a closing quote" },
      { line: 3, message: "a quote inside an unquoted field" },
    ]);
    expect(records.map((r) => r.fields[0])).toEqual(["email", "c@example.com"]);
  });

  it("reports an unterminated quoted field at the line where it opens", () => {
    const { errors } = parseCsv('email,name\na@example.com,ok\nb@example.com,"never\nclosed\n');
    expect(errors).toEqual([{ line: 3, message: "unterminated quoted field" }]);
  });
});

describe("reading an import file", () => {
  it("maps CSV columns by a case-insensitive header and counts fields per row", () => {
    const read = readImport(" Email ,NAME\na@example.com,A\nb@example.com\n", "csv");
    expect(read.columns).toEqual(["email", "name"]);
    expect(read.rows).toEqual([{ line: 2, values: { email: "a@example.com", name: "A" } }]);
    expect(read.errors).toEqual([{ line: 3, message: "expected 2 fields, found 1" }]);
  });

  it("refuses unknown or repeated columns and a header without email", () => {
    expect(readImport("email,password\n", "csv").errors[0]!.message).toMatch(/unknown column "password"/);
    expect(readImport("email,name,name\n", "csv").errors[0]!.message).toMatch(/appears twice/);
    expect(readImport("name\nA\n", "csv").errors).toEqual([{ line: 1, message: 'the header has no "email" column' }]);
    expect(readImport("", "csv").errors).toEqual([{ line: 1, message: "the file is empty (a header row is required)" }]);
  });

  it("reads JSON lines with their line numbers and reports bad lines", () => {
    const text = [
      '{"email":"a@example.com","name":"A","email_verified":true,"created_at":1600000000}',
      "",
      "{not json",
      '["a@example.com"]',
      '{"email":"b@example.com","password":"x"}',
      '{"email":"c@example.com","name":{"first":"C"}}',
      '{"email":"d@example.com","phone":null}',
    ].join("\n");
    const read = readImport(text, "jsonl");
    expect(read.rows).toEqual([
      { line: 1, values: { email: "a@example.com", name: "A", email_verified: true, created_at: 1600000000 } },
      { line: 7, values: { email: "d@example.com", phone: null } },
    ]);
    expect(read.errors).toEqual([
      { line: 3, message: "not valid JSON" },
      { line: 4, message: "each line must be one JSON object" },
      { line: 5, field: "password", message: 'unknown field "password"' },
      { line: 6, field: "name", message: "must be a string, number, boolean or null" },
    ]);
  });

  it("detects the format from the extension, else from the content", () => {
    expect(detectFormat("users.CSV", "{")).toBe("csv");
    expect(detectFormat("users.jsonl", "email")).toBe("jsonl");
    expect(detectFormat("users.ndjson", "")).toBe("jsonl");
    expect(detectFormat("export.txt", '\uFEFF\n  {"email":"a@example.com"}')).toBe("jsonl");
    expect(detectFormat("export", "email,name\n")).toBe("csv");
  });
});
