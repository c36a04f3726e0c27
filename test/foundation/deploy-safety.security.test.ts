import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { parse } from "smol-toml";
import { afterEach, describe, expect, it, vi } from "vitest";
import devVarsExample from "../../.dev.vars.example?raw";
import wranglerToml from "../../wrangler.toml?raw";
import { findDeployProblems } from "../../scripts/lib/deploy-check";
import type { Env } from "../../src/env";
import worker from "../../src/index";
import { DEVELOPMENT_SECRET_VALUES, findProductionProblems } from "../../src/production-check";
import { json, productionEnv } from "../helpers";

// Issue 15, item 1: a plain deploy must never ship development mode, and development mode must not
// answer a reachable host even when it is switched on.

const toml = parse(wranglerToml) as Record<string, any>;
const exampleVars = Object.fromEntries(
  devVarsExample.split("\n").flatMap((line) => {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    return m ? [[m[1]!, m[2]!]] : [];
  }),
);

async function fetchWith(url: string, bindings: Env): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(url, { headers: { "CF-Connecting-IP": "203.0.113.80" } }), bindings, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** wrangler.toml's top-level vars on the suite's bindings, with no secrets at all: what `wrangler deploy` ships. */
function plainDeployEnv(): Env {
  const bare: Record<string, unknown> = { ...env };
  for (const key of ["CODE_HMAC_KEY", "TOTP_ENCRYPTION_KEY", "PASSWORD_PEPPER", "SERVICE_BOOTSTRAP_KEY", "RESEND_API_KEY", "POSTMARK_API_KEY"]) delete bare[key];
  return { ...(bare as unknown as Env), ...toml.vars };
}

afterEach(() => vi.restoreAllMocks());

describe("wrangler.toml is production-safe at the top level", () => {
  it("top-level [vars] say production, a real mail provider, an https origin and no http link bases", () => {
    expect(toml.vars.ENVIRONMENT).toBe("production");
    expect(toml.vars.MAIL_PROVIDER).not.toBe("log");
    expect(toml.vars.PUBLIC_BASE_URL).toMatch(/^https:\/\//);
    for (const [key, value] of Object.entries(toml.vars)) if (/_URL$/.test(key)) expect(String(value), key).toMatch(/^https:\/\//);
    expect(toml.vars.ADMIN_REQUIRE_TOTP).toBe("true");
  });

  it("development values live in .dev.vars.example, not wrangler.toml", () => {
    expect(exampleVars).toMatchObject({ ENVIRONMENT: "development", MAIL_PROVIDER: "log" });
    expect(wranglerToml).not.toMatch(/^\s*ENVIRONMENT\s*=\s*"development"/m);
    expect(wranglerToml).not.toMatch(/^\s*MAIL_PROVIDER\s*=\s*"log"/m);
  });

  it("every public secret value of the repository is known as a development value", () => {
    for (const key of ["CODE_HMAC_KEY", "TOTP_ENCRYPTION_KEY", "PASSWORD_PEPPER", "SERVICE_BOOTSTRAP_KEY"]) {
      expect(DEVELOPMENT_SECRET_VALUES, `.dev.vars.example ${key}`).toContain(exampleVars[key]);
      expect(DEVELOPMENT_SECRET_VALUES, `test pool ${key}`).toContain((env as unknown as Record<string, string>)[key]);
    }
  });

  it("the Worker a plain deploy ships refuses to serve: 503 not_configured on every route, the dev outbox included", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const bindings = plainDeployEnv();
    for (const url of ["https://auth.example.com/dev/outbox", "https://auth.example.com/healthz", "https://auth.example.com/api/openapi.json", "http://localhost:8787/dev/outbox"]) {
      const res = await fetchWith(url, bindings);
      expect(res.status, url).toBe(503);
      const body = await json(res);
      expect(body).toMatchObject({ ok: false, error: { code: "not_configured" }, request_id: expect.any(String) });
      expect(res.headers.get("X-Request-Id")).toBe(body.request_id);
      expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
    }
    // One log line for the isolate's env, naming what is missing (never a value).
    const lines = errors.mock.calls.map((c) => String(c[0])).filter((l) => l.includes('"not_configured"'));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!).problems).toEqual(expect.arrayContaining(["CODE_HMAC_KEY is not set", "TOTP_ENCRYPTION_KEY is not set", "RESEND_API_KEY is not set"]));
  });
});

describe("production mode checks its configuration", () => {
  it("names each missing secret, development value and unsafe origin", () => {
    expect(findProductionProblems(productionEnv())).toEqual([]);
    expect(findProductionProblems(productionEnv({ CODE_HMAC_KEY: undefined }))).toEqual(["CODE_HMAC_KEY is not set"]);
    expect(findProductionProblems(productionEnv({ CODE_HMAC_KEY: "short" }))).toEqual(["CODE_HMAC_KEY is not valid"]);
    expect(findProductionProblems(productionEnv({ CODE_HMAC_KEY: exampleVars.CODE_HMAC_KEY }))).toEqual(["CODE_HMAC_KEY is a development value"]);
    expect(findProductionProblems(productionEnv({ TOTP_ENCRYPTION_KEY: exampleVars.TOTP_ENCRYPTION_KEY }))).toEqual(["TOTP_ENCRYPTION_KEY is a development value"]);
    expect(findProductionProblems(productionEnv({ TOTP_ENCRYPTION_KEY: btoa("sixteen-byte-key") }))).toEqual(["TOTP_ENCRYPTION_KEY is not valid"]);
    expect(findProductionProblems(productionEnv({ PASSWORD_PEPPER: exampleVars.PASSWORD_PEPPER }))).toEqual(["PASSWORD_PEPPER is a development value"]);
    expect(findProductionProblems(productionEnv({ SERVICE_BOOTSTRAP_KEY: exampleVars.SERVICE_BOOTSTRAP_KEY }))).toEqual(["SERVICE_BOOTSTRAP_KEY is a development value"]);
    expect(findProductionProblems(productionEnv({ RESEND_API_KEY: undefined }))).toEqual(["RESEND_API_KEY is not set"]);
    expect(findProductionProblems(productionEnv({ MAIL_PROVIDER: "postmark" }))).toEqual(["POSTMARK_API_KEY is not set"]);
    expect(findProductionProblems(productionEnv({ MAIL_PROVIDER: "cloudflare" }))).toEqual(["MAIL_PROVIDER=cloudflare needs the SEND_EMAIL binding"]);
    expect(findProductionProblems(productionEnv({ MAIL_PROVIDER: "log" }))[0]).toMatch(/^MAIL_PROVIDER=log is for development only/);
    expect(findProductionProblems(productionEnv({ MAIL_PROVIDER: undefined }))[0]).toMatch(/^MAIL_PROVIDER=log/);
    expect(findProductionProblems(productionEnv({ PUBLIC_BASE_URL: "http://auth.company.test" }))).toEqual(["PUBLIC_BASE_URL is not an https URL"]);
    expect(findProductionProblems(productionEnv({ PUBLIC_BASE_URL: "https://127.0.0.1:8787" }))).toEqual(["PUBLIC_BASE_URL names a local host"]);
    expect(findProductionProblems(productionEnv({ PUBLIC_BASE_URL: "https://auth.example.com" }))).toEqual(["PUBLIC_BASE_URL is still the example placeholder"]);
    expect(findProductionProblems(productionEnv({ WEBAUTHN_RP_ID: "test" }))).toEqual([expect.stringMatching(/^WEBAUTHN_RP_ID is not/)]);
    expect(findProductionProblems(productionEnv({ WEBAUTHN_RP_ID: "other.test" }))).toEqual([expect.stringMatching(/^WEBAUTHN_RP_ID is not/)]);
    expect(findProductionProblems(productionEnv({ WEBAUTHN_RP_ID: "auth.test" }))).toEqual([]);
    // Any other ENVIRONMENT than development is production mode.
    expect(findProductionProblems(productionEnv({ ENVIRONMENT: "staging", CODE_HMAC_KEY: undefined }))).toEqual(["CODE_HMAC_KEY is not set"]);
    expect(findProductionProblems({ ...env, ENVIRONMENT: "development" })).toEqual([]);
  });

  it("a configured production Worker serves, and its dev outbox does not exist", async () => {
    const bindings = productionEnv();
    expect((await fetchWith("https://auth.test/healthz", bindings)).status).toBe(200);
    for (const url of ["https://auth.test/dev/outbox", "http://localhost:8787/dev/outbox"]) {
      const res = await fetchWith(url, bindings);
      expect(res.status, url).toBe(404);
      expect((await json(res)).error.code).toBe("not_found");
    }
  });
});

describe("development mode answers only requests addressed to this machine", () => {
  it("the dev outbox is 404 for any other host, even with ENVIRONMENT=development", async () => {
    for (const url of ["https://auth.example.com/dev/outbox", "https://auth.test/dev/outbox", "http://localhost.evil.test/dev/outbox", "http://127.0.0.2/dev/outbox"]) {
      const res = await fetchWith(url, env);
      expect(res.status, url).toBe(404);
      expect((await json(res)).error.code).toBe("not_found");
    }
  });

  it("localhost, 127.0.0.1 and [::1] reach it", async () => {
    for (const url of ["http://localhost:8787/dev/outbox", "http://127.0.0.1:8787/dev/outbox", "http://[::1]:8787/dev/outbox", "http://LOCALHOST/dev/outbox"]) {
      const res = await fetchWith(url, env);
      expect(res.status, url).toBe(200);
      expect((await json(res)).ok).toBe(true);
    }
  });
});

describe("npm run deploy refuses an unfinished [env.production]", () => {
  const filled = () => {
    const copy = structuredClone(toml);
    const prod = copy.env.production;
    prod.routes = [{ pattern: "auth.acme-corp.dev", custom_domain: true }];
    prod.vars.PUBLIC_BASE_URL = "https://auth.acme-corp.dev";
    prod.vars.MAIL_FROM = "no-reply@acme-corp.dev";
    prod.vars.MAIL_FROM_NAME = "Acme Accounts";
    prod.d1_databases[0].database_id = "5f0c7a9e-1d2b-4c3d-8e9f-0a1b2c3d4e5f";
    prod.kv_namespaces[0].id = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
    return copy;
  };

  it("the committed template is refused, naming every placeholder", () => {
    const problems = findDeployProblems(toml);
    expect(problems.length).toBeGreaterThanOrEqual(6);
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(/^env\.production\.d1_databases\[0\]\.database_id is still a placeholder/), expect.stringMatching(/^env\.production\.vars\.PUBLIC_BASE_URL is still a placeholder/)]));
  });

  it("a filled-in template passes; each gap is named", () => {
    expect(findDeployProblems(filled())).toEqual([]);
    const { env: _env, ...withoutEnvs } = toml;
    expect(findDeployProblems(withoutEnvs)).toEqual([expect.stringMatching(/no \[env\.production\] section/)]);
    const logMail = filled();
    logMail.env.production.vars.MAIL_PROVIDER = "log";
    expect(findDeployProblems(logMail)).toEqual([expect.stringMatching(/MAIL_PROVIDER must be/)]);
    const dev = filled();
    dev.env.production.vars.ENVIRONMENT = "development";
    expect(findDeployProblems(dev)).toEqual([expect.stringMatching(/ENVIRONMENT must be "production"/)]);
    const http = filled();
    http.env.production.vars.PUBLIC_BASE_URL = "http://auth.acme-corp.dev";
    expect(findDeployProblems(http)).toEqual([expect.stringMatching(/PUBLIC_BASE_URL must be an https URL/)]);
    const noKv = filled();
    delete noKv.env.production.kv_namespaces;
    expect(findDeployProblems(noKv)).toEqual([expect.stringMatching(/lacks kv_namespaces/)]);
  });
});
