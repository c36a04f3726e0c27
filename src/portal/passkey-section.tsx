/** The /docs section on passkeys: what a site gets, where the ceremony may run, and the policy. */
export function PasskeySection() {
  return (
    <section aria-labelledby="passkeys">
      <h2 id="passkeys">Passkeys</h2>
      <p>
        Passkeys (WebAuthn) cannot be phished: the browser binds each one to Auth2's relying party and checks the page's origin.
        Users sign in with a passkey alone (<code>auth_passkey_login_options</code>, then <code>auth_passkey_login_verify</code>,
        which answers like <code>auth_login</code>), or use one as the second factor after a password. A passkey that verifies the
        user (PIN or biometrics) satisfies a site's required second factor by itself.
      </p>
      <ul>
        <li>
          <strong>Where it runs.</strong> The ceremony must run on Auth2's own origin or on an origin your site registered that
          shares the relying party's registrable domain. An app on another domain sends its users to the hosted sign-in pages.
        </li>
        <li>
          <strong>Policy.</strong> <code>passkey_mode</code> per site: <code>off</code>, <code>optional</code> (the default:
          offered, old clients unchanged) or <code>preferred</code> (a passkey is asked first as the second factor).
        </li>
        <li>
          <strong>Adding one</strong> needs a recent proof (10 minutes): answer <code>403 reauthentication_required</code> with{" "}
          <code>auth_reauthenticate</code>. The user gets a notice mail for every new passkey.
        </li>
        <li>
          <strong>Second factor.</strong> When <code>challenge.choices</code> includes <code>passkey</code>, send{" "}
          <code>passkey</code> (the assertion for <code>challenge.passkey</code>) to <code>auth_factor_verify</code> instead of a code.
        </li>
      </ul>
    </section>
  );
}
