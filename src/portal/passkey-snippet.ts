import type { Snippet } from "./snippets";

/** The browser snippet for passkeys (@simplewebauthn/browser), built on the `auth2` helper of the browser snippet. */
export function passkeySnippet(origin: string): Snippet {
  return {
    id: "snippet-passkeys",
    title: "Browser app: sign in with a passkey, add one, use one as the second factor",
    language: "JavaScript",
    code: `// npm install @simplewebauthn/browser — and the auth2() helper and SITE_KEY from the snippet above (AUTH2 = "${origin}").
import { browserSupportsWebAuthn, startAuthentication, startRegistration } from "@simplewebauthn/browser";

// Sign in with a passkey alone. Without an email the browser offers the user's passkeys;
// useBrowserAutofill: true shows them in the username field's autofill (<input autocomplete="username webauthn">).
export async function signInWithPasskey({ email, autofill = false } = {}) {
  if (!browserSupportsWebAuthn()) throw new Error("This browser has no passkeys");
  const { options } = await auth2("auth_passkey_login_options", { body: { site_key: SITE_KEY, ...(email && { email }) } });
  const credential = await startAuthentication({ optionsJSON: options, useBrowserAutofill: autofill });
  const result = await auth2("auth_passkey_login_verify", { body: { site_key: SITE_KEY, credential } });
  // Same answer as auth_login: "authenticated" (result.session, result.user), or "factor_required" when the
  // passkey did not verify the user (no PIN/biometrics) and the site asks for a second factor.
  return result;
}

// A passkey as the second factor after a password: auth_login's challenge lists "passkey" in choices
// and carries the options in challenge.passkey.
export async function answerWithPasskey(challenge) {
  if (!challenge.choices.includes("passkey")) return null;
  const passkey = await startAuthentication({ optionsJSON: challenge.passkey });
  return auth2("auth_factor_verify", { body: { challenge_token: challenge.token, passkey } });
  // Each challenge.passkey works once: for another try, ask
  // auth2("auth_factor_challenge", { body: { challenge_token: challenge.token, factor: "passkey" } }).
}

// Add a passkey to the signed-in user's account. It needs a proof within the last 10 minutes:
// on 403 reauthentication_required, confirm the password and retry.
export async function addPasskey(name, askForPassword) {
  let options;
  try {
    ({ options } = await auth2("auth_passkey_register_options", { body: {}, token: sessionToken }));
  } catch (err) {
    if (err.code !== "reauthentication_required") throw err;
    await auth2("auth_reauthenticate", { body: { password: await askForPassword() }, token: sessionToken });
    ({ options } = await auth2("auth_passkey_register_options", { body: {}, token: sessionToken }));
  }
  const credential = await startRegistration({ optionsJSON: options });
  const { passkey } = await auth2("auth_passkey_register_verify", { body: { credential, name }, token: sessionToken });
  return passkey; // {id, name, created_at, provider_name, backed_up, ...}; the user also gets a notice mail
}

export const listPasskeys = () => auth2("auth_passkeys_list", { token: sessionToken }).then((r) => r.passkeys);
export const removePasskey = (id) => auth2("auth_passkeys_delete", { body: { id }, token: sessionToken });`,
  };
}
