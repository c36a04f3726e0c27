import { randomBytes } from "node:crypto";
import { SoftAuthenticator, toB64u } from "../../test/passkeys/soft-authenticator";
import type { FlowSend, Scenario } from "../lib/types";

// Issue 21: passkey sign-in under load. One sample is the whole flow a browser makes:
// auth_passkey_login_options (discoverable: a fresh challenge stored in a Limiter shard), the
// assertion signed in the harness by the software authenticator (WebCrypto ECDSA P-256, the real
// signer a browser's authenticator would be), then auth_passkey_login_verify (challenge used up,
// signature verified by @simplewebauthn/server in the Worker, counter recorded, session started in the
// user's Durable Object, login.success audited). Judged against the DO floor (no hash is involved:
// target ≥ 0.25× its req/s, counting flows), and reported one flow at a time beside one password
// sign-in (login/auth_login), which is dominated by its scrypt hash.
//
// Seeded straight into D1 (not through the routes measured): USERS users with one synced passkey each
// (counter always 0, like iCloud Keychain or Google Password Manager: concurrent flows of one user never
// race a counter), SITES sites (the per-site sign-in cap is 600 a minute, so the load is spread over
// sites like real traffic over apps), twofa_mode required (a passkey with user verification satisfies it).

const SITES = 64;
const USERS = 512;
const ORIGIN = "https://auth2.bench.test"; // bench/lib/worker.ts: PUBLIC_BASE_URL, so the RP ID is auth2.bench.test
const RP_ID = "auth2.bench.test";

const siteKey = (n: number) => `bench-passkey-${n % SITES}`;
/** A client address per flow: the per-client caps (60 a minute) never answer instead of the route. */
const clientIp = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

const authenticators: SoftAuthenticator[] = [];
const credentialIds: string[] = [];

async function signIn(i: number, send: FlowSend): Promise<void> {
  const user = i % USERS;
  const site = siteKey(i);
  const headers = { "cf-connecting-ip": clientIp(i), "content-type": "application/json" };
  const options = await send({ method: "POST", path: "/api/auth_passkey_login_options", headers, body: { site_key: site } });
  if (options.status !== 200) return;
  const optionsJSON = (JSON.parse(options.body) as { options: Parameters<SoftAuthenticator["authenticate"]>[0] }).options;
  const credential = await authenticators[user]!.authenticate(optionsJSON, { origin: ORIGIN, credentialId: credentialIds[user]! });
  const verified = await send({ method: "POST", path: "/api/auth_passkey_login_verify", headers, body: { site_key: site, credential } });
  if (verified.status === 200 && !verified.body.includes('"status":"authenticated"')) throw new Error(`not authenticated: ${verified.body.slice(0, 200)}`);
}

const scenario: Scenario = {
  name: "passkey-login",
  description: "passkey sign-in (login_options + signed assertion + login_verify as one flow) vs the DO floor, and one at a time vs one password sign-in",
  order: 45,
  async setup(ctx) {
    for (let n = 0; n < SITES; n++) await ctx.seedSite(siteKey(n), { policy: { login_mode: "password", twofa_mode: "required" } });
    const now = Date.now();
    const users = await ctx.seedUsers(USERS, { idPrefix: "usr_pk_", emailPrefix: "passkey" });
    const rows: unknown[][] = [];
    for (let n = 0; n < USERS; n++) {
      const authenticator = new SoftAuthenticator({ counter: "zero" });
      const handle = toB64u(randomBytes(32));
      const { id, publicKey } = await authenticator.createCredential(RP_ID, handle);
      authenticators.push(authenticator);
      credentialIds.push(id);
      rows.push([users.id(n + 1), handle, id, toB64u(publicKey)]);
    }
    for (let k = 0; k < rows.length; k += 50) {
      const chunk = rows.slice(k, k + 50);
      await ctx.db.batch(
        chunk.flatMap(([userId, handle, credentialId, publicKey]) => [
          ctx.db.prepare("INSERT INTO webauthn_user_handles (user_id, user_handle, created_at) VALUES (?, ?, ?)").bind(userId, handle, now),
          ctx.db
            .prepare(
              "INSERT INTO passkeys (id, credential_id, user_id, public_key, sign_counter, transports, backed_up, device_type, aaguid, name, created_at) VALUES (?, ?, ?, ?, 0, '[\"internal\",\"hybrid\"]', 1, 'multiDevice', '00000000-0000-0000-0000-000000000000', 'Bench passkey', ?)",
            )
            .bind(`pk_${String(userId)}`, credentialId, userId, publicKey, now),
        ]),
      );
    }
    // One flow up front proves the seed verifies (a wrong key would make every sample a 400).
    let last = { status: 0, body: "" };
    await signIn(1_000_000, async (request) => {
      const res = await ctx.call(request.path, { json: request.body, headers: request.headers as Record<string, string> });
      last = { status: res.status, body: await res.text() };
      return { ...last, ms: 0 };
    });
    if (last.status !== 200) throw new Error(`passkey-login setup: ${last.status} ${last.body.slice(0, 300)}`);
  },
  routes: [
    {
      // The first half alone (site read, two limiter takes, the challenge stored): what the flow's CPU splits into.
      label: "passkey_login_options",
      request: (i) => ({
        method: "POST",
        path: "/api/auth_passkey_login_options",
        headers: { "cf-connecting-ip": clientIp(3_000_000 + i), "content-type": "application/json" },
        body: { site_key: siteKey(i) },
      }),
      floor: "do",
    },
    {
      label: "passkey_sign_in",
      request: { flow: signIn },
      floor: "do",
      targets: { minRatioRps: 0.25 },
    },
    {
      label: "passkey_sign_in_one",
      mode: "sequential",
      samples: 40,
      warmupSamples: 3,
      request: { flow: (i, send) => signIn(2_000_000 + i, send) },
      floor: "login/auth_login",
    },
  ],
};

export default scenario;
