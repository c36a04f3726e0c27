import { EndpointList } from "./endpoint-list";
import type { EndpointGroup } from "./endpoints";
import { AccessKinds, CoreApis, IntegrationRules, ServiceApis } from "./guide-sections";
import { Layout } from "./layout";
import { PasskeySection } from "./passkey-section";
import { passkeySnippet } from "./passkey-snippet";
import { HardeningTips, RegistrySection } from "./registry-section";
import type { Snippet } from "./snippets";
import { backendSnippet, browserSnippet, curlSnippet, firebaseSnippet } from "./snippets";

export interface GuideProps {
  origin: string;
  registryMode: "fallback" | "strict";
  groups: EndpointGroup[];
  total: number;
}

function SnippetBlock(props: { snippet: Snippet }) {
  const { snippet } = props;
  const codeId = `${snippet.id}-code`;
  return (
    <figure class="snippet" aria-labelledby={`${snippet.id}-title`}>
      <div class="snippet-head">
        <figcaption id={`${snippet.id}-title`}>
          {snippet.title} <span class="visually-hidden">({snippet.language})</span>
        </figcaption>
        <button type="button" class="copy" data-copy={codeId} aria-label={`Copy: ${snippet.title}`}>
          Copy
        </button>
      </div>
      <pre tabindex={0} aria-label={`${snippet.title}, ${snippet.language} code`}>
        <code id={codeId}>{snippet.code}</code>
      </pre>
    </figure>
  );
}

/** GET /docs: "Getting Started — Connect your app to Auth2". */
export function GuidePage(props: GuideProps) {
  return (
    <Layout
      title="Getting Started — Connect your app to Auth2"
      description="How to connect an app to Auth2: auth and service APIs, integration rules, the site registry and every endpoint."
      current="guide"
      scripts={["/docs/assets/docs.js"]}
    >
      <h1>Getting Started — Connect your app to Auth2</h1>
      <p class="lead">
        Auth2 is the central identity provider for the company's apps: one login, password reset, site policy, account status and
        service-to-service identity for all of them. Your app keeps its own data; Auth2 keeps the identities and credentials.
      </p>
      <nav class="toc" aria-labelledby="toc-title">
        <h2 id="toc-title">On this page</h2>
        <ol>
          <li><a href="#core-apis">Core auth APIs</a></li>
          <li><a href="#service-apis">Service APIs</a></li>
          <li><a href="#rules">Integration rules</a></li>
          <li><a href="#access">Access kinds</a></li>
          <li><a href="#passkeys">Passkeys</a></li>
          <li><a href="#registry">Site registry and security</a></li>
          <li><a href="#hardening">Hardening tips</a></li>
          <li><a href="#examples">Examples</a></li>
          <li><a href="#conventions">Requests, answers and errors</a></li>
          <li><a href="#endpoints">Complete endpoint list</a></li>
        </ol>
      </nav>
      <CoreApis />
      <ServiceApis />
      <IntegrationRules />
      <AccessKinds />
      <PasskeySection />
      <RegistrySection mode={props.registryMode} />
      <HardeningTips />
      <section aria-labelledby="examples">
        <h2 id="examples">Examples</h2>
        <p>
          The snippets call this instance (<code>{props.origin}</code>). Replace <code>your-site-key</code> with the key of your
          registered site.
        </p>
        <p id="copy-status" class="visually-hidden" role="status" aria-live="polite"></p>
        <h3>Browser app</h3>
        <SnippetBlock snippet={browserSnippet(props.origin)} />
        <p>
          Browsers send the <code>__Host-auth2_session</code> cookie only to Auth2's own host, and third-party cookie rules may
          block it. A single-page app on another origin should keep <code>session.token</code> and send it as{" "}
          <code>Authorization: Bearer</code>, as above; its origin must be listed in the site's allowed origins.
        </p>
        <h3>Passkeys</h3>
        <SnippetBlock snippet={passkeySnippet(props.origin)} />
        <h3>Backend</h3>
        <SnippetBlock snippet={backendSnippet(props.origin)} />
        <SnippetBlock snippet={curlSnippet(props.origin)} />
        <h3>Firebase</h3>
        <SnippetBlock snippet={firebaseSnippet(props.origin)} />
      </section>
      <section aria-labelledby="conventions">
        <h2 id="conventions">Requests, answers and errors</h2>
        <ul>
          <li>
            Send JSON. App, service and legacy routes also take <code>application/x-www-form-urlencoded</code>, as older PHP
            clients post it. Bodies are limited to 64 KiB.
          </li>
          <li>
            Success is <code>{'{"ok": true, …}'}</code>. Failure is{" "}
            <code>{'{"ok": false, "error": {"code", "message", "fields"?}, "request_id"}'}</code> with a fitting HTTP status;
            branch on <code>error.code</code>, never on the message.
          </li>
          <li>
            Every response carries <code>X-Request-Id</code>. Quote it when you report a problem.
          </li>
          <li>
            Each <code>/api</code> route also answers with the <code>.php</code> suffix (<code>/api/auth_login.php</code>), so
            existing PHP-era clients keep working unchanged.
          </li>
        </ul>
      </section>
      <EndpointList groups={props.groups} total={props.total} />
    </Layout>
  );
}
