import { VENDOR_PREFIX } from "./assets";
import { Layout } from "./layout";

/** GET /docs/reference: Swagger UI on the live OpenAPI document, try-it against this origin. */
export function ReferencePage() {
  return (
    <Layout
      title="API reference — Auth2"
      description="Interactive reference of the Auth2 API: request and response schemas, and try-it against this instance."
      current="reference"
      styles={[`${VENDOR_PREFIX}swagger-ui.css`]}
      scripts={[`${VENDOR_PREFIX}swagger-ui-bundle.js`, "/docs/assets/reference.js"]}
      wide
      mainLandmark={false}
    >
      <section class="intro prose" aria-labelledby="reference-title">
        <h1 id="reference-title">API reference</h1>
        <p>
          Every route with its request and response schemas, from <a href="/api/openapi.json">/api/openapi.json</a>.{" "}
          <strong>Try it out</strong> sends real requests to this Auth2 instance. New here? Start with{" "}
          <a href="/docs">Getting started</a>. Requests go to this origin; every <code>/api</code> route also answers with
          the <code>.php</code> suffix.
        </p>
        <p id="reference-status" class="loading" role="status" aria-live="polite">
          Loading the reference…
        </p>
        <h2 class="ops-title">Operations by access kind</h2>
      </section>
      <div id="swagger-ui"></div>
      <noscript>
        <p class="intro prose">The interactive reference needs JavaScript. The raw document is at /api/openapi.json.</p>
      </noscript>
    </Layout>
  );
}
