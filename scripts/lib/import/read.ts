import { parseCsv } from "./csv";

// Turns the import file's text into raw rows keyed by column name, with the line each row starts on.
// CSV needs a header row; JSON lines hold one object per line. Pure: runs in workerd tests too.

export const KNOWN_COLUMNS = [
  "email",
  "name",
  "status",
  "password_hash",
  "created_at",
  "display_name",
  "phone",
  "job_title",
  "department",
  "locale",
  "timezone",
  "external_id",
  "email_verified",
] as const;
export type Column = (typeof KNOWN_COLUMNS)[number];

export type RawValue = string | number | boolean | null;

export interface RawRow {
  line: number;
  values: Partial<Record<Column, RawValue>>;
}

export interface LineError {
  line: number;
  field?: string;
  message: string;
}

export interface ReadResult {
  format: "csv" | "jsonl";
  /** Columns the file provides; on update only these are changed. */
  columns: Column[];
  rows: RawRow[];
  errors: LineError[];
}

export type ImportFormat = "csv" | "jsonl";

/** The format from the file name, else from the content (a first non-blank character `{` means JSON lines). */
export function detectFormat(fileName: string, text: string): ImportFormat {
  const lower = fileName.toLowerCase();
  if (lower.endsWith(".csv")) return "csv";
  if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) return "jsonl";
  const first = text.replace(/^\uFEFF/, "").trimStart()[0];
  return first === "{" ? "jsonl" : "csv";
}

const isKnown = (name: string): name is Column => (KNOWN_COLUMNS as readonly string[]).includes(name);

export function readImport(text: string, format: ImportFormat): ReadResult {
  return format === "csv" ? readCsv(text) : readJsonLines(text);
}

function readCsv(text: string): ReadResult {
  const { records, errors } = parseCsv(text);
  const out: ReadResult = { format: "csv", columns: [], rows: [], errors: [...errors] };
  const header = records.shift();
  if (!header) {
    out.errors.push({ line: 1, message: "the file is empty (a header row is required)" });
    return out;
  }
  const names = header.fields.map((f) => f.trim().toLowerCase());
  const seen = new Set<string>();
  for (const name of names) {
    if (!isKnown(name)) out.errors.push({ line: header.line, message: `unknown column "${name}" (known: ${KNOWN_COLUMNS.join(", ")})` });
    else if (seen.has(name)) out.errors.push({ line: header.line, message: `column "${name}" appears twice` });
    seen.add(name);
  }
  if (!seen.has("email")) out.errors.push({ line: header.line, message: 'the header has no "email" column' });
  if (out.errors.some((e) => e.line === header.line)) return out;
  out.columns = names as Column[];
  for (const record of records) {
    if (record.fields.length !== names.length) {
      out.errors.push({ line: record.line, message: `expected ${names.length} fields, found ${record.fields.length}` });
      continue;
    }
    const values: RawRow["values"] = {};
    names.forEach((name, k) => {
      values[name as Column] = record.fields[k]!;
    });
    out.rows.push({ line: record.line, values });
  }
  return out;
}

function readJsonLines(text: string): ReadResult {
  const out: ReadResult = { format: "jsonl", columns: [], rows: [], errors: [] };
  const columns = new Set<Column>();
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  lines.forEach((raw, k) => {
    const line = k + 1;
    if (raw.trim() === "") return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      out.errors.push({ line, message: "not valid JSON" });
      return;
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
      out.errors.push({ line, message: "each line must be one JSON object" });
      return;
    }
    const values: RawRow["values"] = {};
    let ok = true;
    for (const [key, value] of Object.entries(parsed)) {
      const name = key.trim().toLowerCase();
      if (!isKnown(name)) {
        out.errors.push({ line, field: key, message: `unknown field "${key}"` });
        ok = false;
        continue;
      }
      if (value !== null && !["string", "number", "boolean"].includes(typeof value)) {
        out.errors.push({ line, field: name, message: "must be a string, number, boolean or null" });
        ok = false;
        continue;
      }
      values[name] = value as RawValue;
      columns.add(name);
    }
    if (ok) out.rows.push({ line, values });
  });
  out.columns = [...columns];
  return out;
}
