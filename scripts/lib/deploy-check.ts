// What `npm run deploy` checks in wrangler.toml before it deploys [env.production]. No Node APIs:
// test/foundation/deploy-config.test.ts runs it inside workerd on the committed file and on variants.

/** A value an operator still has to replace: `<…>`, an example.com name, the all-zero id. */
const PLACEHOLDER = /<[^>]*>|(^|[./@])example\.(com|org|net)\b|^0{8}-0{4}-0{4}-0{4}-0{12}$/i;

type Toml = Record<string, unknown>;

const isTable = (value: unknown): value is Toml => typeof value === "object" && value !== null && !Array.isArray(value);

/** Every string in a TOML value with its dotted path (`vars.PUBLIC_BASE_URL`, `d1_databases[0].database_id`). */
function strings(value: unknown, path: string, out: [string, string][] = []): [string, string][] {
  if (typeof value === "string") out.push([path, value]);
  else if (Array.isArray(value)) value.forEach((v, i) => strings(v, `${path}[${i}]`, out));
  else if (isTable(value)) for (const [k, v] of Object.entries(value)) strings(v, path ? `${path}.${k}` : k, out);
  return out;
}

const REQUIRED_BINDINGS: [string, (env: Toml) => unknown[]][] = [
  ["d1_databases (DB)", (env) => (env.d1_databases as Toml[] | undefined)?.filter((d) => d.binding === "DB") ?? []],
  ["kv_namespaces (CHALLENGES)", (env) => (env.kv_namespaces as Toml[] | undefined)?.filter((k) => k.binding === "CHALLENGES") ?? []],
  ["durable_objects (USER_STATE, LIMITER)", (env) => {
    const names = ((env.durable_objects as Toml | undefined)?.bindings as Toml[] | undefined)?.map((b) => b.name) ?? [];
    return names.includes("USER_STATE") && names.includes("LIMITER") ? [names] : [];
  }],
  ["queues.producers (MAIL_QUEUE)", (env) => ((env.queues as Toml | undefined)?.producers as Toml[] | undefined)?.filter((p) => p.binding === "MAIL_QUEUE") ?? []],
  ["queues.consumers", (env) => ((env.queues as Toml | undefined)?.consumers as Toml[] | undefined) ?? []],
  ["r2_buckets (AVATARS)", (env) => (env.r2_buckets as Toml[] | undefined)?.filter((r) => r.binding === "AVATARS") ?? []],
];

/**
 * Why [env.production] of a parsed wrangler.toml cannot be deployed yet (empty: it can). Checks that
 * it exists, names production mode with a real mail provider and an https origin, lists every
 * binding (named environments inherit none), and holds no placeholder anywhere.
 */
export function findDeployProblems(config: Toml): string[] {
  const env = isTable(config.env) ? config.env.production : undefined;
  if (!isTable(env)) return ["wrangler.toml has no [env.production] section (see docs/operations.md, Deploying)"];
  const problems: string[] = [];
  const vars = isTable(env.vars) ? env.vars : {};
  if (vars.ENVIRONMENT !== "production") problems.push('[env.production.vars] ENVIRONMENT must be "production"');
  if (vars.MAIL_PROVIDER === undefined || vars.MAIL_PROVIDER === "log") problems.push("[env.production.vars] MAIL_PROVIDER must be resend, postmark or cloudflare");
  if (typeof vars.PUBLIC_BASE_URL !== "string" || !vars.PUBLIC_BASE_URL.startsWith("https://")) problems.push("[env.production.vars] PUBLIC_BASE_URL must be an https URL");
  for (const [name, find] of REQUIRED_BINDINGS) if (find(env).length === 0) problems.push(`[env.production] lacks ${name}`);
  for (const [path, value] of strings(env, "env.production")) {
    if (PLACEHOLDER.test(value)) problems.push(`${path} is still a placeholder: ${JSON.stringify(value)}`);
  }
  return problems;
}
