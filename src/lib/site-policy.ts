import { z } from "@hono/zod-openapi";
import { integer, text } from "drizzle-orm/sqlite-core";

// THE site-policy schema. Every policy field is declared once, here: its validation (zod), the
// config var that holds its default and how that var is read (clamped), its column in
// `site_policies`, and its words and control for the portal and the console. The TypeScript type,
// the admin create/update bodies, readConfig's defaults, the store's column mapping, the drizzle
// table, the portal's field table and the console's policy controls are all derived from it.
// A new policy flag is: one entry below, `npm run db:generate`, and its words in the docs.

export const LOGIN_MODES = ["password", "email_otp", "password_or_otp"] as const;
export const RESET_MODES = ["link", "otp", "both", "disabled"] as const;
export const TWOFA_MODES = ["off", "optional", "required"] as const;
export const PASSKEY_MODES = ["off", "optional", "preferred"] as const;
export type LoginMode = (typeof LOGIN_MODES)[number];
export type ResetMode = (typeof RESET_MODES)[number];
export type TwofaMode = (typeof TWOFA_MODES)[number];
export type PasskeyMode = (typeof PASSKEY_MODES)[number];

/** Global floor for password length; a site may only raise it. */
export const PASSWORD_MIN_FLOOR = 8;
export const PASSWORD_MAX_LENGTH = 256;
const MAX_TTL = 90 * 86_400;

/** How the console edits a field. */
export type PolicyControl =
  | { kind: "select"; options: readonly (readonly [value: string, label: string])[] }
  | { kind: "checkbox" }
  | { kind: "number"; min: number; max: number };

interface FieldDef<T> {
  /** What an admin may send (and what is stored). */
  readonly schema: z.ZodType<T>;
  /** The config var with the default policy's value (unregistered sites, new sites). */
  readonly envVar: string;
  readonly fallback: T;
  /** Reads the var: a bad or missing value falls back; numbers are clamped to the schema's range. */
  readonly readVar: (raw: string | undefined) => T;
  /** The `site_policies` column (the SQL name is the field's own name). */
  readonly column: (name: string) => ReturnType<typeof text> | ReturnType<typeof integer>;
  readonly label: string;
  readonly help: string;
  readonly control: PolicyControl;
}

function enumField<const V extends readonly [string, ...string[]]>(
  values: V,
  labels: { readonly [K in V[number]]: string },
  def: { envVar: string; fallback: V[number]; label: string; help: string; columnDefault?: V[number] },
): FieldDef<V[number]> {
  return {
    schema: z.enum(values),
    envVar: def.envVar,
    fallback: def.fallback,
    readVar: (raw) => (raw !== undefined && (values as readonly string[]).includes(raw) ? (raw as V[number]) : def.fallback),
    // A column added to an existing table needs a default for the rows already there.
    column: (name) => (def.columnDefault === undefined ? text(name, { enum: values }).notNull() : text(name, { enum: values }).notNull().default(def.columnDefault)),
    label: def.label,
    help: def.help,
    control: { kind: "select", options: values.map((v) => [v, labels[v as V[number]]] as const) },
  };
}

function booleanField(def: { envVar: string; fallback: boolean; label: string; help: string }): FieldDef<boolean> {
  return {
    schema: z.boolean(),
    envVar: def.envVar,
    fallback: def.fallback,
    readVar: (raw) => (raw === undefined || raw === "" ? def.fallback : raw === "true" || raw === "1"),
    column: (name) => integer(name, { mode: "boolean" }).notNull().default(def.fallback),
    label: def.label,
    help: def.help,
    control: { kind: "checkbox" },
  };
}

function integerField(def: { envVar: string; fallback: number; min: number; max: number; columnDefault?: number; label: string; help: string; description: string }): FieldDef<number> {
  return {
    schema: z.number().int().min(def.min).max(def.max).openapi({ description: def.description }),
    envVar: def.envVar,
    fallback: def.fallback,
    readVar: (raw) => {
      const n = raw === undefined || raw === "" ? NaN : Number(raw);
      return Number.isInteger(n) ? Math.min(def.max, Math.max(def.min, n)) : def.fallback;
    },
    column: (name) => (def.columnDefault === undefined ? integer(name).notNull() : integer(name).notNull().default(def.columnDefault)),
    label: def.label,
    help: def.help,
    control: { kind: "number", min: def.min, max: def.max },
  };
}

export const POLICY_FIELDS = {
  login_mode: enumField(LOGIN_MODES, { password: "Password", email_otp: "Email code", password_or_otp: "Password or email code" }, {
    envVar: "DEFAULT_LOGIN_MODE",
    fallback: "password",
    label: "Login mode",
    help: "How users prove who they are: password, a mailed one-time code, or either.",
  }),
  reset_mode: enumField(RESET_MODES, { link: "Link", otp: "Code", both: "Link and code", disabled: "Disabled" }, {
    envVar: "DEFAULT_RESET_MODE",
    fallback: "link",
    label: "Password reset",
    help: "What a reset mail contains: a link, a code, both, or no self-service reset.",
  }),
  twofa_mode: enumField(TWOFA_MODES, { off: "Off", optional: "Optional", required: "Required" }, {
    envVar: "DEFAULT_TWOFA_MODE",
    fallback: "off",
    label: "Two-factor",
    help: "Off, optional (users may enrol), or required for every login.",
  }),
  passkey_mode: enumField(PASSKEY_MODES, { off: "Off", optional: "Optional", preferred: "Preferred" }, {
    envVar: "DEFAULT_PASSKEY_MODE",
    fallback: "optional",
    columnDefault: "optional",
    label: "Passkeys",
    help: "Off, optional (users may sign in with a passkey or use one as second factor), or preferred (offered first).",
  }),
  allow_self_registration: booleanField({
    envVar: "DEFAULT_ALLOW_SELF_REGISTRATION",
    fallback: false,
    label: "Allow self-registration",
    help: "Whether people can create their own account on this site.",
  }),
  password_min_length: integerField({
    envVar: "DEFAULT_PASSWORD_MIN_LENGTH",
    fallback: 8,
    min: PASSWORD_MIN_FLOOR,
    max: PASSWORD_MAX_LENGTH,
    columnDefault: 8,
    label: "Minimum password length",
    help: "Characters a new password needs at least.",
    description: "8–256",
  }),
  session_ttl_seconds: integerField({
    envVar: "DEFAULT_SESSION_TTL_SECONDS",
    fallback: 86_400,
    min: 300,
    max: MAX_TTL,
    label: "Session lifetime (seconds)",
    help: "A session ends this long after login (300 s – 90 days).",
    description: "300 s – 90 days",
  }),
  idle_timeout_seconds: integerField({
    envVar: "DEFAULT_IDLE_TIMEOUT_SECONDS",
    fallback: 7_200,
    min: 60,
    max: MAX_TTL,
    label: "Idle timeout (seconds)",
    help: "A session ends after this long without use (≤ lifetime).",
    description: "60 s – 90 days, ≤ session_ttl_seconds",
  }),
} as const;

export type PolicyKey = keyof typeof POLICY_FIELDS;
export const POLICY_KEYS = Object.keys(POLICY_FIELDS) as PolicyKey[];
type ValueOf<F> = F extends FieldDef<infer T> ? T : never;
export type SitePolicy = { -readonly [K in PolicyKey]: ValueOf<(typeof POLICY_FIELDS)[K]> };

type Shapes = { [K in PolicyKey]: (typeof POLICY_FIELDS)[K]["schema"] };
const shapes = Object.fromEntries(POLICY_KEYS.map((k) => [k, POLICY_FIELDS[k].schema])) as unknown as Shapes;

/** A whole policy as the API shows it. */
export const PolicySchema = z.object(shapes).openapi("Policy");

/** Any policy fields (missing ones keep their current value or the configured default); unknown ones are refused. */
export const PolicyFieldsSchema = z.strictObject(shapes).partial().openapi("PolicyFields");

/** The default policy from config vars (bad values fall back, numbers clamp); the idle timeout never outlasts the session. */
export function readDefaultPolicy(vars: Readonly<Record<string, unknown>>): SitePolicy {
  const policy = Object.fromEntries(
    POLICY_KEYS.map((k) => [k, POLICY_FIELDS[k].readVar(typeof vars[POLICY_FIELDS[k].envVar] === "string" ? (vars[POLICY_FIELDS[k].envVar] as string) : undefined)]),
  ) as SitePolicy;
  return policy;
}

/** The drizzle property name of a policy field's column (login_mode → loginMode). */
export function policyColumnKey(key: PolicyKey): string {
  return key.replace(/_([a-z])/g, (_m, ch: string) => ch.toUpperCase());
}

/** The `site_policies` columns, for drizzle/schema.ts. */
export function policyColumns() {
  return Object.fromEntries(POLICY_KEYS.map((k) => [policyColumnKey(k), POLICY_FIELDS[k].column(k)])) as {
    [K in PolicyKey as CamelCase<K>]: ReturnType<(typeof POLICY_FIELDS)[K]["column"]>;
  };
}

type CamelCase<S extends string> = S extends `${infer H}_${infer T}` ? `${H}${Capitalize<CamelCase<T>>}` : S;

/** A stored policy row's fields as a policy (column key → field). */
export function policyFromColumns(row: Readonly<Record<string, unknown>>): SitePolicy {
  return Object.fromEntries(POLICY_KEYS.map((k) => [k, row[policyColumnKey(k)]])) as SitePolicy;
}

/** A policy as column values for an insert or update. */
export function policyToColumns(policy: SitePolicy): Record<string, unknown> {
  return Object.fromEntries(POLICY_KEYS.map((k) => [policyColumnKey(k), policy[k]]));
}

/** One row per field for the portal and the console: name, label, help, the allowed values and the default var. */
export function describePolicyFields(): { key: PolicyKey; label: string; help: string; control: PolicyControl; envVar: string; fallback: unknown }[] {
  return POLICY_KEYS.map((k) => {
    const f = POLICY_FIELDS[k];
    return { key: k, label: f.label, help: f.help, control: f.control, envVar: f.envVar, fallback: f.fallback };
  });
}
