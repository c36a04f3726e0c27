import { beforeAll, describe, expect, it } from "vitest";
import { call } from "../helpers";
import {
  adminSession,
  concretePath,
  expectEnvelope,
  expectNothingInternal,
  freshIp,
  listOperations,
  openApiDocument,
  principal,
  rowCounts,
  serviceKeys,
  type Operation,
} from "./fixtures";

// Input fuzzing of every operation from its request schema in /api/openapi.json. Each request goes in
// with credentials that pass the route's guard (so the validator and handler see the junk), and:
// never a 5xx (but the Firebase route's documented 503 when no service account is configured), the
// error envelope with a documented code, no stack/SQL text, and no rows added or removed in the
// watched tables when the request was rejected.

/** Rejections that legitimately write audit rows (failed sign-ins are recorded). */
const AUDIT_ON_REJECTION: Record<string, number[]> = {
  "POST /api/auth_login": [401, 429],
  "POST /api/auth_factor_verify": [401, 410, 429],
  "POST /api/admin/login": [401, 429],
  // A wrong current password is a failed authentication, recorded like a failed sign-in.
  "POST /api/admin/change_password": [401, 429],
  // Wrong one-time codes count against the account and are recorded, like failed sign-ins.
  "POST /api/auth_onboarding_check": [401, 429],
  "POST /api/auth_onboarding_complete": [401, 429],
  "POST /api/auth_password_reset_check": [401, 429],
  "POST /api/auth_password_reset_complete": [401, 429],
  // "Every call is audited" (route description): a lookup of nobody is recorded as a failure.
  "POST /api/service/user_resolve": [404],
};
/** Routes whose success answer is a documented 503 in the test env (no Firebase service account). */
const UNAVAILABLE_IN_TESTS = new Set(["POST /api/firebase_custom_token"]);

type Schema = Record<string, any>;
let doc: { paths: Record<string, Record<string, any>>; components?: { schemas?: Record<string, Schema> } };
let operations: Operation[];
let keys: Awaited<ReturnType<typeof serviceKeys>>;

function resolve(schema: Schema | undefined): Schema {
  if (!schema) return {};
  if (schema.$ref) return resolve(doc.components?.schemas?.[String(schema.$ref).split("/").pop()!]);
  if (schema.allOf) return Object.assign({}, ...schema.allOf.map(resolve));
  return schema;
}

function jsonSchemaOf(o: Operation): Schema | null {
  const content = o.op.requestBody?.content;
  if (!content?.["application/json"]) return null;
  return resolve(content["application/json"].schema);
}

/** A plausible value for a field (the base the mutations start from). */
function sample(name: string, schema: Schema): unknown {
  const s = resolve(schema.anyOf?.[0] ?? schema.oneOf?.[0] ?? schema);
  if (s.example !== undefined) return s.example;
  if (s.enum) return s.enum[0];
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  if (type === "boolean") return true;
  if (type === "integer" || type === "number") return s.minimum ?? 1;
  if (type === "array") return [sample(name, s.items ?? {})];
  if (type === "object") return {};
  if (/email/i.test(name)) return "fuzz@example.com";
  return "x".repeat(Math.max(1, s.minLength ?? 1));
}

function baseBody(schema: Schema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, prop] of Object.entries<Schema>(schema.properties ?? {})) out[name] = sample(name, prop);
  return out;
}

const NASTY_STRINGS = [
  "y".repeat(20_000),
  "a\u0000b",
  "😀\u202e\u200b\ufeffé\ud800", // emoji, bidi override, zero-width, BOM, lone surrogate
  "fuzz@example.com\r\nBcc: victim@example.com",
  "fuzz@example.com,victim@example.com",
  "' OR '1'='1' --",
  "%' UNION SELECT password_hash FROM admins; DROP TABLE users; --",
  "../../../etc/passwd<script>alert(1)</script>${7*7}",
  " ",
  "",
];
const WRONG_TYPES: unknown[] = [-1, 1e308, true, null, ["a", "b"], { $gt: "" }];

function deep(depth: number): unknown {
  let v: unknown = "leaf";
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

interface FuzzCase {
  label: string;
  body?: string;
  contentType?: string;
  query?: string;
}

function casesFor(o: Operation): FuzzCase[] {
  const cases: FuzzCase[] = [];
  const asJson = (label: string, value: unknown) => cases.push({ label, body: JSON.stringify(value), contentType: "application/json" });
  const raw = (label: string, body: string, contentType = "application/json") => cases.push({ label, body, contentType });
  if (o.method !== "GET") {
    const schema = jsonSchemaOf(o) ?? { properties: {} };
    const base = baseBody(schema);
    const fields = Object.keys(schema.properties ?? {});
    raw("over the 64 KiB cap", JSON.stringify({ ...base, [fields[0] ?? "x"]: "x".repeat(70_000) }));
    raw("not JSON", "{");
    raw("JSON null", "null");
    raw("JSON array", "[]");
    raw("JSON number", "1");
    raw("JSON string", '"x"');
    raw("invalid UTF-8", "\xff\xfe{}");
    raw("text/plain", JSON.stringify(base), "text/plain");
    raw("no content type", JSON.stringify(base), "");
    asJson("nested depth 40", { ...base, extra: deep(40) });
    raw("nested arrays 20000", "[".repeat(20_000) + "]".repeat(20_000));
    raw("nested objects 5000", '{"a":'.repeat(5000) + "1" + "}".repeat(5000));
    asJson("prototype keys", { ...base, __proto__: { admin: true }, constructor: { prototype: { x: 1 } } });
    for (const field of fields) {
      const { [field]: _dropped, ...without } = base;
      asJson(`missing ${field}`, without);
      for (const wrong of WRONG_TYPES) asJson(`${field} = ${JSON.stringify(wrong)}`, { ...base, [field]: wrong });
      for (const nasty of NASTY_STRINGS) asJson(`${field} = nasty ${JSON.stringify(nasty.slice(0, 30))}`, { ...base, [field]: nasty });
      asJson(`${field} deep`, { ...base, [field]: deep(20) });
      // Duplicate keys: raw text, the last one wins in JSON.parse; must be judged like any other value.
      raw(`duplicate ${field}`, `${JSON.stringify(base).slice(0, -1)}${fields.length ? "," : ""}"${field}":{"nested":["x"]}}`);
      raw(`duplicate ${field} scalar`, `{"${field}":"fuzz@example.com","${field}":12,${JSON.stringify(base).slice(1)}`);
      cases.push({ label: `form ${field}[]`, body: `${field}[]=a&${field}[]=b`, contentType: "application/x-www-form-urlencoded" });
      cases.push({ label: `form ${field} CRLF`, body: `${field}=fuzz%40example.com%0D%0ABcc%3A+x%40example.com`, contentType: "application/x-www-form-urlencoded" });
    }
    cases.push({ label: "form bracket keys", body: "a[b][c]=1&__proto__[x]=1", contentType: "application/x-www-form-urlencoded" });
    cases.push({ label: "multipart junk", body: "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--x--", contentType: "multipart/form-data; boundary=x" });
  }
  const params = [...(o.op.parameters ?? [])].map(resolve).filter((p: Schema) => p.in === "query");
  for (const p of params) {
    for (const v of ["-1", "abc", "99999999999999999999", "' OR 1=1 --", "\u0000", "x".repeat(5000)]) {
      cases.push({ label: `query ${p.name}=${v.slice(0, 20)}`, query: `${encodeURIComponent(p.name)}=${encodeURIComponent(v)}` });
    }
    cases.push({ label: `query ${p.name} repeated`, query: `${p.name}=1&${p.name}=2` });
  }
  return cases;
}

beforeAll(async () => {
  keys = await serviceKeys();
});

doc = (await openApiDocument()) as typeof doc;
operations = listOperations(doc);

describe("input fuzzing of every operation (from its request schema)", () => {
  it("covers every operation of the document", () => {
    expect(operations.length).toBeGreaterThan(10);
    expect(operations.reduce((n, o) => n + casesFor(o).length, 0)).toBeGreaterThan(500);
  });

  for (const o of operations) {
    const key = `${o.method} ${o.path}`;
    it(`${key}: never a 5xx, always the envelope, nothing internal, no state change on rejection`, async () => {
      const failures: string[] = [];
      const p = await principal();
      const admin = await adminSession();
      const bearer = o.path.startsWith("/api/admin/") ? admin.token : p.session;
      const send = async (c: FuzzCase) => {
        const headers: Record<string, string> = { Authorization: `Bearer ${bearer}`, "X-Service-Key": keys.all, "CF-Connecting-IP": freshIp() };
        if (c.contentType) headers["Content-Type"] = c.contentType;
        const path = concretePath(o.path) + (c.query ? `?${c.query}` : "");
        const res = await call(path, { method: o.method, body: c.body, headers });
        const text = await res.text();
        const label = `${key} ${c.label}`;
        if (res.status >= 500 && !(res.status === 503 && UNAVAILABLE_IN_TESTS.has(key))) {
          failures.push(`${label}: ${res.status} ${text.slice(0, 200)}`);
        } else {
          try {
            // Success answers may echo the caller's own input (names, site keys); errors never carry internals.
            if (res.status >= 400) expectNothingInternal(text, label);
            if (res.status >= 400 && path.startsWith("/api/")) await expectEnvelope(new Response(text, { status: res.status }), label);
          } catch (error) {
            failures.push(String(error).slice(0, 400));
          }
        }
        return res.status;
      };
      const changed = (before: Record<string, number>, after: Record<string, number>, allowAudit: boolean) =>
        Object.keys(after).filter((t) => after[t] !== before[t] && !(allowAudit && t === "audit_log"));
      // Batches of 4 in flight (the suite must stay fast): a batch of rejections must leave the counts
      // alone; a batch with an accepted request is replayed one by one to judge each rejection alone.
      const cases = casesFor(o);
      for (let i = 0; i < cases.length; i += 4) {
        const batch = cases.slice(i, i + 4);
        const before = await rowCounts();
        const statuses = await Promise.all(batch.map(send));
        const after = await rowCounts();
        const allRejected = statuses.every((st) => st >= 400 && st < 500);
        const allowAudit = statuses.every((st) => AUDIT_ON_REJECTION[key]?.includes(st));
        if (allRejected) {
          const diff = changed(before, after, allowAudit);
          if (diff.length === 0) continue;
        }
        for (const c of batch) {
          const b = await rowCounts();
          const st = await send(c);
          if (st < 400 || st >= 500) continue;
          const diff = changed(b, await rowCounts(), AUDIT_ON_REJECTION[key]?.includes(st) ?? false);
          if (diff.length) failures.push(`${key} ${c.label}: ${st} but ${diff.join(", ")} changed`);
        }
      }
      expect(failures).toEqual([]);
    });
  }
});
