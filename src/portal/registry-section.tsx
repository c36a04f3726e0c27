import { describePolicyFields } from "../lib/site-policy";

/** "Site registry and security": the runtime mode, why to register, the with/without table, hardening tips. */

const COMPARISON: [string, string, string][] = [
  ["Login APIs", "Default policy from Auth2's configuration", "The site's saved policy (login mode, 2FA, password length, session lifetime)"],
  ["Password reset APIs", "Default reset mode and default reset link target", "The site's own reset mode, reset and onboarding pages, branding in the emails"],
  ["Service APIs", "Service key required", "Service key required"],
  ["Site status", "Not available", "An inactive site is refused at login (403 site_inactive)"],
  ["Browser origins (CORS)", "None: the site has no allowed origins", "Exactly the origins listed for the site"],
  ["Recommended for", "Compatibility with existing clients only", "Every production and staging app"],
];

export function RegistrySection(props: { mode: "fallback" | "strict" }) {
  return (
    <section aria-labelledby="registry">
      <h2 id="registry">Site registry and security</h2>
      <div class="cards">
        <div class="card">
          <h3>This instance: {props.mode === "strict" ? "strict" : "fallback compatible"}</h3>
          {props.mode === "strict" ? (
            <p>
              Only registered sites are served. A call with an unknown <code>site_key</code> is refused with 403{" "}
              <code>unknown_site</code>.
            </p>
          ) : (
            <p>
              An unknown <code>site_key</code> gets the default policy, so existing clients keep working while their sites are
              registered. Production should run with <code>SITE_REGISTRY_MODE=strict</code>.
            </p>
          )}
        </div>
        <div class="card">
          <h3>Why register your site</h3>
          <p>
            Registration gives your app its own policy: login mode (password, emailed code, or either), reset mode, second-factor
            enforcement, minimum password length, session lifetime, an active/inactive switch, allowed origins and the branding
            used in its emails.
          </p>
        </div>
        <div class="card">
          <h3>How to register</h3>
          <p>
            Ask an Auth2 admin to create the site with its name, <code>site_key</code>, allowed origins (exact, like{" "}
            <code>https://app.example.com</code>) and the HTTPS pages that reset and onboarding emails link to.
          </p>
        </div>
      </div>
      <h3 id="registry-required">Is registering required?</h3>
      <div class="table-wrap" role="region" aria-label="With and without a registered site" tabindex={0}>
        <table class="compare">
          <caption>What changes when a site is registered</caption>
          <thead>
            <tr>
              <th scope="col">Area</th>
              <th scope="col">Without a registered site</th>
              <th scope="col">With a registered site</th>
            </tr>
          </thead>
          <tbody>
            {COMPARISON.map(([area, without, withSite]) => (
              <tr>
                <th scope="row">{area}</th>
                <td>{without}</td>
                <td>{withSite}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <PolicyFieldTable />
    </section>
  );
}

/** Every site-policy field, from the site-policy schema (a new flag appears here by itself). */
function PolicyFieldTable() {
  const values = (f: ReturnType<typeof describePolicyFields>[number]) =>
    f.control.kind === "select" ? f.control.options.map(([v]) => v).join(", ") : f.control.kind === "number" ? `${f.control.min}–${f.control.max}` : "true, false";
  return (
    <>
      <h3 id="registry-policy">Site policy fields</h3>
      <div class="table-wrap" role="region" aria-label="Site policy fields" tabindex={0}>
        <table class="compare">
          <caption>What a site's policy decides (default for unregistered sites from the named variable)</caption>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Values</th>
              <th scope="col">Default</th>
              <th scope="col">Meaning</th>
            </tr>
          </thead>
          <tbody>
            {describePolicyFields().map((f) => (
              <tr>
                <th scope="row">
                  <code>{f.key}</code>
                </th>
                <td>{values(f)}</td>
                <td>
                  <code>{f.envVar}</code> ({String(f.fallback)})
                </td>
                <td>{f.help}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

export function HardeningTips() {
  return (
    <section aria-labelledby="hardening">
      <h2 id="hardening">Hardening tips</h2>
      <ul>
        <li>Register every production app and run production with the registry in strict mode.</li>
        <li>Set a site to inactive as soon as its app is retired or compromised: its logins stop at once.</li>
        <li>
          Protect service routes with a service key per backend, with the fewest scopes that work; revoke a key the moment it may
          have leaked.
        </li>
        <li>
          Require a second factor (<code>twofa_mode</code> <code>optional</code> or <code>required</code>) for apps that touch
          personal or financial data.
        </li>
        <li>
          List only exact HTTPS origins in <code>allowed_origins</code>, and point reset and onboarding links at HTTPS pages you
          control.
        </li>
        <li>
          Keep session tokens out of URLs, logs and long-lived storage; prefer the <code>__Host-auth2_session</code> cookie or memory.
          Call <code>auth_logout</code> with <code>all: true</code> when a user reports a lost device.
        </li>
        <li>
          Honour <code>429 rate_limited</code> and its <code>Retry-After</code> header instead of retrying in a loop, and log the{" "}
          <code>request_id</code> of failed calls: it finds the matching entry in Auth2's logs.
        </li>
        <li>Show the same message for every failed login; Auth2 does not reveal whether an account exists, and neither should your screen.</li>
      </ul>
    </section>
  );
}
