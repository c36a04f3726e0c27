/**
 * Example code for the getting-started page. Request and response fields follow the API contract
 * (docs: /api/openapi.json); `origin` is the Auth2 instance serving the page.
 */
export interface Snippet {
  id: string;
  title: string;
  language: string;
  code: string;
}

export function browserSnippet(origin: string): Snippet {
  return {
    id: "snippet-browser",
    title: "Browser app: login, second factor, current user",
    language: "JavaScript",
    code: `const AUTH2 = "${origin}";
const SITE_KEY = "your-site-key"; // registered in Auth2 with your app's origin in allowed_origins
let sessionToken; // kept in memory only: never in localStorage, a URL or a log

// Every Auth2 answer is {"ok": true, ...} or {"ok": false, "error": {code, message, fields?}, "request_id"}.
async function auth2(path, { body, token } = {}) {
  const headers = { "X-Site-Key": SITE_KEY };
  if (body) headers["Content-Type"] = "application/json";
  if (token) headers["Authorization"] = \`Bearer \${token}\`;
  const res = await fetch(\`\${AUTH2}/api/\${path}\`, {
    method: body ? "POST" : "GET",
    headers,
    credentials: "include", // sends/receives the __Host-auth2_session cookie where the browser allows it
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await res.json();
  if (!data.ok) {
    const err = new Error(data.error.message);
    Object.assign(err, { status: res.status, code: data.error.code, fields: data.error.fields, requestId: data.request_id });
    throw err; // e.g. 401 invalid_credentials, 429 rate_limited (see the Retry-After header)
  }
  return data;
}

export async function signIn(email, password, askForCode) {
  let result = await auth2("auth_login", { body: { site_key: SITE_KEY, email, password } });

  if (result.status === "factor_required") {
    // challenge: {token, factor: "email_otp" | "totp" | "passkey", expires_at, destination (masked email), choices}
    // (a passkey among the choices: see the passkey snippet below)
    const { challenge } = result;
    const code = await askForCode(challenge.factor, challenge.destination);
    result = await auth2("auth_factor_verify", { body: { challenge_token: challenge.token, code } });
    // A wrong code answers 401 invalid_code with attempts_remaining; "send a new code" is
    // auth2("auth_factor_challenge", { body: { challenge_token: challenge.token } }).
  }

  // result.status === "authenticated"
  sessionToken = result.session.token; // also set as the __Host-auth2_session cookie where the browser accepts it
  return result.user; // canonical identity: auth_user_id, email, name, status, ...
}

export async function currentUser() {
  const { user, session } = await auth2("auth_me", { token: sessionToken }); // Bearer token, or the cookie when there is none
  return { user, expiresAt: session.expires_at };
}

export async function signOut({ everywhere = false } = {}) {
  await auth2("auth_logout", { body: { all: everywhere }, token: sessionToken });
  sessionToken = undefined;
}`,
  };
}

export function backendSnippet(origin: string): Snippet {
  return {
    id: "snippet-backend",
    title: "Backend: resolve a user, verify an API key",
    language: "JavaScript (Node 18+)",
    code: `const AUTH2 = "${origin}";
const SERVICE_KEY = process.env.AUTH2_SERVICE_KEY; // server-side secret; never ship it to a browser or app

async function auth2Service(path, body) {
  const res = await fetch(\`\${AUTH2}/api/\${path}\`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Service-Key": SERVICE_KEY },
    body: JSON.stringify(body),
  });
  const data = await res.json();
  if (!data.ok) throw Object.assign(new Error(data.error.message), { status: res.status, code: data.error.code });
  return data;
}

// Upsert the local row for a user, keyed by auth_user_id (404 user_not_found when unknown).
export async function syncUser(db, { authUserId, email }) {
  const { user } = await auth2Service("service/user_resolve", authUserId ? { auth_user_id: authUserId } : { email });
  await db.query(
    "INSERT INTO app_users (auth_user_id, email, name, status) VALUES ($1, $2, $3, $4) " +
      "ON CONFLICT (auth_user_id) DO UPDATE SET email = $2, name = $3, status = $4",
    [user.auth_user_id, user.email, user.name, user.status],
  );
  return user;
}

// Accept a user's API key (created with auth_api_keys_create) on your own API.
export async function verifyApiKey(apiKey) {
  const result = await auth2Service("auth_api_key_verify", { api_key: apiKey });
  if (!result.valid) return null; // result.reason: "unknown" | "revoked" | "expired" | "owner_inactive"
  return { user: result.user, key: result.key }; // key: {id, name, prefix, scopes, expires_at, ...}
}`,
  };
}

export function curlSnippet(origin: string): Snippet {
  return {
    id: "snippet-curl",
    title: "The same service call with curl (PHP-era path)",
    language: "Shell",
    code: `curl -sS -X POST "${origin}/api/service/user_resolve.php" \\
  -H "X-Service-Key: $AUTH2_SERVICE_KEY" \\
  -H "Content-Type: application/json" \\
  -d '{"email": "ada@example.com"}'
# Form posts work too on app, service and legacy routes:
#   -H "Content-Type: application/x-www-form-urlencoded" -d "email=ada@example.com"`,
  };
}

export function firebaseSnippet(origin: string): Snippet {
  return {
    id: "snippet-firebase",
    title: "Firebase: sign in with an Auth2 custom token",
    language: "JavaScript",
    code: `// 1. Your backend (holds the service key) asks Auth2 for a custom token for the signed-in user.
const res = await fetch("${origin}/api/firebase_custom_token", {
  method: "POST",
  headers: { "Content-Type": "application/json", "X-Service-Key": process.env.AUTH2_SERVICE_KEY },
  body: JSON.stringify({ auth_user_id: user.auth_user_id, site_key: "your-site-key", claims: { role: "staff" } }),
});
const data = await res.json();
if (!data.ok) throw new Error(\`\${data.error.code}: \${data.error.message}\`);
const { token, uid, expires_at } = data; // uid is the auth_user_id; the RS256 token is short-lived
// Send only \`token\` to your client, over your own authenticated API.

// 2. The client (web or mobile) signs in to Firebase with it.
import { initializeApp } from "firebase/app";
import { getAuth, signInWithCustomToken } from "firebase/auth";

const app = initializeApp(firebaseConfig);
const credential = await signInWithCustomToken(getAuth(app), token);
// credential.user.uid === auth_user_id; custom claims arrive in the ID token (getIdTokenResult()).`,
  };
}
