// `tsx scripts/generate-import-sample.ts OUT.csv [ROWS]`: writes a synthetic PHP-style user export
// (CSV, or JSON lines when OUT ends in .jsonl) for trying and timing `npm run import-users`. Names
// carry commas, quotes and line breaks so the CSV quoting is exercised; a tenth of the users have no
// hash (they import as pending), the rest carry PHP bcrypt or argon2id hashes (all for "rasmuslerdorf"
// or "correct horse battery staple").
import { writeFileSync } from "node:fs";

const [out, rowsArg] = process.argv.slice(2);
if (!out) {
  process.stderr.write("usage: tsx scripts/generate-import-sample.ts OUT.csv [ROWS]\n");
  process.exit(1);
}
const rows = Number(rowsArg ?? 100_000);
const BCRYPT = "$2y$10$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a";
const ARGON2ID = "$argon2id$v=19$m=4096,t=3,p=1$YXV0aDItaW1wb3J0LXNhbHQ$iiZGZ2MeLBvab4o6247s7rm5U8+0fRRb+1GIrSg382g";
const DEPARTMENTS = ["Sales", "Finance", "R&D, Lab", 'Ops "Night"', "Support"];
const columns = ["external_id", "email", "name", "status", "password_hash", "created_at", "display_name", "phone", "job_title", "department", "locale", "timezone", "email_verified"];

const csvField = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const jsonl = out.endsWith(".jsonl");
const lines: string[] = jsonl ? [] : [columns.join(",")];
const base = Date.UTC(2015, 0, 1) / 1000;
for (let i = 1; i <= rows; i++) {
  const hash = i % 10 === 0 ? "" : i % 3 === 0 ? ARGON2ID : BCRYPT;
  const record: Record<string, string> = {
    external_id: String(i),
    email: `User.${i}@Example.com`,
    name: i % 7 === 0 ? `O'Brien, Pat ${i}` : i % 11 === 0 ? `Line\nBreak "${i}"` : `User ${i}`,
    status: i % 50 === 0 ? "disabled" : hash ? "active" : "",
    password_hash: hash,
    created_at: i % 2 ? String(base + i * 60) : new Date((base + i * 60) * 1000).toISOString().replace("T", " ").slice(0, 19),
    display_name: `U${i}`,
    phone: i % 4 === 0 ? "" : `+41 44 ${String(i).padStart(7, "0")}`,
    job_title: "Engineer; Level 2",
    department: DEPARTMENTS[i % DEPARTMENTS.length]!,
    locale: i % 2 ? "de-CH" : "en",
    timezone: "Europe/Zurich",
    email_verified: i % 5 === 0 ? "0" : "1",
  };
  lines.push(jsonl ? JSON.stringify(record) : columns.map((c) => csvField(record[c]!)).join(","));
}
writeFileSync(out, `${lines.join("\r\n")}\r\n`);
process.stderr.write(`Wrote ${rows} users to ${out}\n`);
