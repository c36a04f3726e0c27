// `npm run admin:create -- --email ops@example.com [--name "Ops"] [--remote] [--env production]
//   [--password-stdin] [--reset-password]`
// Creates an admin account (production has no default admin). The password is read from stdin
// (--password-stdin), typed at a prompt, or generated and printed once. It is hashed here with the
// deployment's parameters from wrangler.toml and written through `wrangler d1 execute`.
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { hashPassword } from "../src/crypto/password-hash";
import { checkPasswordRules } from "../src/crypto/password-policy";
import { generateId, generateToken } from "../src/crypto/random";
import { normaliseEmail } from "../src/lib/email";
import { productionScryptParams } from "./lib/admin-account";
import { insertAdminSql, resetAdminSql } from "./lib/admin-sql";
import { executeSql, runWrangler, sqlString } from "./lib/wrangler";

const { values } = parseArgs({
  options: {
    email: { type: "string" },
    name: { type: "string", default: "" },
    remote: { type: "boolean", default: false },
    env: { type: "string" },
    "password-stdin": { type: "boolean", default: false },
    "reset-password": { type: "boolean", default: false },
  },
  strict: true,
});

function fail(message: string): never {
  console.error(`admin:create: ${message}`);
  process.exit(1);
}

async function readStdinLine(): Promise<string> {
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    rl.close();
    return line;
  }
  return "";
}

/** Prompts without echoing what is typed. */
async function promptHidden(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  const out = rl as unknown as { _writeToOutput: (s: string) => void; output: NodeJS.WritableStream };
  let asked = false;
  out._writeToOutput = (s: string) => {
    if (!asked) {
      out.output.write(s);
      asked = true;
    }
  };
  const answer = await new Promise<string>((resolve) => rl.question(question, resolve));
  rl.close();
  process.stdout.write("\n");
  return answer;
}

const email = normaliseEmail(values.email);
if (!email) fail("--email is required and must be a valid address");
const target = { remote: values.remote, env: values.env };
const where = values.remote ? `remote D1${values.env ? ` (env ${values.env})` : ""}` : "local D1";

let password: string;
let generated = false;
if (values["password-stdin"]) password = await readStdinLine();
else if (process.stdin.isTTY) {
  password = await promptHidden("Password (empty: generate one): ");
  if (password) {
    const again = await promptHidden("Repeat the password: ");
    if (again !== password) fail("the passwords differ");
  }
} else password = "";
if (!password) {
  password = generateToken(18); // 144 random bits, URL-safe
  generated = true;
}
const problem = checkPasswordRules(password);
if (problem) fail(`password refused: ${problem}`);

const dArgs = ["d1", "execute", "DB", values.remote ? "--remote" : "--local", "--json", "--command", `SELECT id FROM admins WHERE email = ${sqlString(email)}`];
if (values.env) dArgs.push("--env", values.env);
const lookup = JSON.parse(runWrangler(dArgs, { quiet: true })) as { results: { id: string }[] }[];
const existing = lookup[0]?.results[0]?.id ?? null;
if (existing && !values["reset-password"]) {
  fail(`an admin with ${email} already exists (${existing}) in ${where}. Nothing changed. Use --reset-password to give it a new password (this also turns its TOTP off).`);
}
if (!existing && values["reset-password"]) fail(`no admin with ${email} in ${where}; run without --reset-password to create one`);

const scrypt = productionScryptParams("wrangler.toml", values.env ?? null);
// The pepper is a Worker secret this script cannot read; pass it as PASSWORD_PEPPER to apply it now.
// Without it the hash is unpeppered and the first successful login re-hashes it with the pepper.
const passwordHash = await hashPassword(password, { scrypt, pepper: process.env.PASSWORD_PEPPER || undefined });
const now = Date.now();
if (existing) {
  executeSql(resetAdminSql({ id: existing, email, passwordHash, now }), target);
  console.log(`Reset the password of admin ${existing} <${email}> in ${where}; TOTP is off until it enrols again, and every session it had has ended.`);
} else {
  const id = `adm_${generateId(8)}`;
  executeSql(insertAdminSql({ id, email, name: values.name ?? "", passwordHash, now }), target);
  console.log(`Created admin ${id} <${email}> in ${where} (scrypt ln=${scrypt.ln} r=${scrypt.r} p=${scrypt.p}).`);
}
if (generated) console.log(`Generated password (shown once, store it now): ${password}`);
