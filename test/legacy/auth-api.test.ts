import { describe, expect, it } from "vitest";
import { LEGACY_ACTIONS } from "../../src/routes/legacy-api";
import { call, json } from "../helpers";
import { seedUser, sessionFor } from "../sessions/fixtures";

const SAME_HEADERS = ["content-type", "cache-control", "set-cookie", "referrer-policy", "retry-after", "access-control-allow-origin"];

async function snapshot(res: Response) {
  const text = await res.text();
  let body: unknown = text;
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    delete parsed.request_id;
    body = parsed;
  } catch {
    // not JSON: compare as text
  }
  const headers = Object.fromEntries(SAME_HEADERS.map((h) => [h, res.headers.get(h)]));
  return { status: res.status, body, headers };
}

describe("POST /api/auth_api.php", () => {
  it("refuses a missing or unknown action with 400 unknown_action listing the valid ones", async () => {
    for (const body of [{}, { action: "drop_tables" }, { action: "" }]) {
      const res = await call("/api/auth_api.php", { json: body });
      expect(res.status).toBe(400);
      const err = (await json(res)).error;
      expect(err.code).toBe("unknown_action");
      expect(err.actions).toEqual(Object.keys(LEGACY_ACTIONS));
    }
  });

  it("answers `me` exactly as the direct route (Bearer and cookie)", async () => {
    const user = await seedUser();
    const s = await sessionFor(user);
    const variants: Record<string, string>[] = [{ Authorization: `Bearer ${s.token}` }, { Cookie: `__Host-auth2_session=${s.token}` }, {}];
    for (const headers of variants) {
      const direct = await snapshot(await call("/api/auth_me.php", { headers }));
      const wrapped = await call("/api/auth_api.php", { json: { action: "me" }, headers });
      const inner = (await wrapped.clone().json()) as { request_id?: string };
      if (inner.request_id) expect(wrapped.headers.get("X-Request-Id")).toBe(inner.request_id);
      expect(await snapshot(wrapped)).toEqual(direct);
    }
  });

  it("takes the action from the query string and form-encoded bodies", async () => {
    const user = await seedUser();
    const a = await sessionFor(user);
    const res = await call("/api/auth_api?action=logout", { form: { all: "true" }, headers: { Authorization: `Bearer ${a.token}` } });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ ok: true });
    expect((await call("/api/auth_me", { headers: { Authorization: `Bearer ${a.token}` } })).status).toBe(401);
  });

  it("answers every action exactly as its direct route for the same (invalid) input", async () => {
    for (const [action, target] of Object.entries(LEGACY_ACTIONS)) {
      const fields = { site_key: "compat-check", email: "not-an-email" };
      const direct = await snapshot(await call(target.path, target.method === "GET" ? {} : { json: fields }));
      const wrapped = await snapshot(await call("/api/auth_api", { json: { action, ...fields } }));
      expect(wrapped, action).toEqual(direct);
    }
  });
});
