/** The written parts of "Getting Started — Connect your app to Auth2". */

export function CoreApis() {
  return (
    <section aria-labelledby="core-apis">
      <h2 id="core-apis">Core auth APIs</h2>
      <p>
        Your login, reset and first-time-setup screens call these with your app's <code>site_key</code> (a body field or the{" "}
        <code>X-Site-Key</code> header). Auth2 applies the site's policy: which login mode, whether a second factor is needed,
        how resets are delivered.
      </p>
      <div class="cards">
        <div class="card">
          <h3>
            <code>auth_login</code>
          </h3>
          <p>
            Checks email and password (or starts an emailed code when the site is passwordless). Answers{" "}
            <code>status: "authenticated"</code> with a <code>session</code> and the <code>user</code>, or{" "}
            <code>status: "factor_required"</code> with a <code>challenge</code>.
          </p>
        </div>
        <div class="card">
          <h3>
            <code>auth_factor_verify</code>
          </h3>
          <p>
            Completes the second step with the code from the email or the authenticator app and issues the session.{" "}
            <code>auth_factor_challenge</code> sends a fresh code (the old one stops working).
          </p>
        </div>
        <div class="card">
          <h3>
            <code>auth_password_reset_*</code>
          </h3>
          <p>
            <code>_request</code> always answers 202 (no one learns whether an email exists); <code>_check</code> validates a link
            token or code before you show the form; <code>_complete</code> sets the new password and signs the user out everywhere.
          </p>
        </div>
        <div class="card">
          <h3>
            <code>auth_me</code>, <code>auth_logout</code>
          </h3>
          <p>
            Who is signed in (with the session's expiry and factors), and sign-out of this session or of all the user's sessions.
            Send your site key (<code>X-Site-Key</code>) with every call, from the browser and from your backend: a session issued for
            another site is then refused like an unknown token, so a token that leaked from another app is worthless in yours.
            First-time setup for staff created by an admin uses <code>auth_onboarding_request</code>, <code>_check</code> and{" "}
            <code>_complete</code>.
          </p>
        </div>
      </div>
    </section>
  );
}

export function ServiceApis() {
  return (
    <section aria-labelledby="service-apis">
      <h2 id="service-apis">Service APIs</h2>
      <p>
        Server-to-server calls. Each one needs a service key in the <code>X-Service-Key</code> header; keys are issued by an Auth2
        admin, carry scopes, and can be revoked at any time.
      </p>
      <div class="cards">
        <div class="card">
          <h3>
            <code>service/user_resolve</code>
          </h3>
          <p>
            Returns the canonical identity for an <code>auth_user_id</code> or an email. Use it to create or refresh the local row
            that holds your app's own data for that person.
          </p>
        </div>
        <div class="card">
          <h3>
            <code>firebase_custom_token</code>
          </h3>
          <p>
            Mints a Firebase custom token whose <code>uid</code> is the <code>auth_user_id</code>, optionally with extra claims.
            Your client passes it to <code>signInWithCustomToken</code> for Realtime Database, Firestore or mobile features.
          </p>
        </div>
        <div class="card">
          <h3>
            <code>auth_api_key_verify</code>
          </h3>
          <p>
            Tells you whether a user's API key is valid, whose it is and which scopes it has, or why it is not (unknown, revoked,
            expired, owner inactive). Your API never stores or compares the keys itself.
          </p>
        </div>
      </div>
    </section>
  );
}

export function IntegrationRules() {
  return (
    <section aria-labelledby="rules">
      <h2 id="rules">Integration rules</h2>
      <ol>
        <li>
          <strong>
            Add an <code>auth_user_id</code> column to your own user table.
          </strong>{" "}
          It is the stable key for a person across every app. Email addresses change; the id does not. Fill the rest of the row
          from <code>auth_me</code> or <code>service/user_resolve</code>.
        </li>
        <li>
          <strong>Keep credentials only in Auth2.</strong> No password, password hash, reset token, one-time code or TOTP secret in
          your database or your logs. Your screens collect them and pass them straight to Auth2.
        </li>
        <li>
          <strong>
            Use <code>X-Service-Key</code> for server calls.
          </strong>{" "}
          Service keys belong on servers only, in a secret store or environment variable: never in a browser bundle, a mobile app
          or a repository. One key per backend, with only the scopes it needs, so one can be revoked without touching the others.
        </li>
      </ol>
    </section>
  );
}

export function AccessKinds() {
  const rows: [string, string, string][] = [
    ["App", "site_key (body or X-Site-Key); no session yet", "Login, second factor, reset and setup screens"],
    ["Staff", "A user session: Authorization: Bearer <token> or the __Host-auth2_session cookie", "Signed-in users: profile, avatar, API keys"],
    ["Service", "X-Service-Key header", "Your backends: identity lookups, API key checks, Firebase tokens"],
    ["Admin", "An admin session (its own cookie or token)", "The admin console: users, sites, service keys, audit log"],
    ["Compatibility", "As the wrapped route", "Older clients that call the single auth_api endpoint with an action"],
    ["Legacy", "site_key; only where the site's policy allows self-registration", "Older self-registration flows"],
    ["Operations", "None", "Health checks and this documentation"],
  ];
  return (
    <section aria-labelledby="access">
      <h2 id="access">Access kinds</h2>
      <p>Every endpoint belongs to exactly one access kind. It tells you what the call must carry and who should make it.</p>
      <div class="table-wrap" role="region" aria-label="Access kinds, scrollable table" tabindex={0}>
        <table>
          <caption>What each access kind requires</caption>
          <thead>
            <tr>
              <th scope="col">Access</th>
              <th scope="col">The call carries</th>
              <th scope="col">Made by</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(([access, carries, by]) => (
              <tr>
                <th scope="row">
                  <span class={`tag tag-${access.toLowerCase()}`}>{access}</span>
                </th>
                <td>{carries}</td>
                <td>{by}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
