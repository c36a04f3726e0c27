import type { EndpointGroup } from "./endpoints";

/** Text with `backtick` spans shown as code; everything stays escaped text. */
export function InlineText(props: { text: string }) {
  const parts = props.text.split("`");
  return <>{parts.map((part, i) => (i % 2 === 1 ? <code>{part}</code> : part))}</>;
}

/** The complete endpoint list, one table per access kind, straight from the OpenAPI document. */
export function EndpointList(props: { groups: EndpointGroup[]; total: number }) {
  return (
    <section aria-labelledby="endpoints">
      <h2 id="endpoints">Complete endpoint list</h2>
      <p>
        Generated from this instance's OpenAPI document (<a href="/api/openapi.json">/api/openapi.json</a>) each time the page is
        served, so it always matches the deployed routes: <strong>{props.total}</strong> operations. Every <code>/api</code> route
        answers with and without the <code>.php</code> suffix. Try any of them in the <a href="/docs/reference">API reference</a>.
      </p>
      {props.groups.map((group) => (
        <section aria-labelledby={`access-${group.access.toLowerCase()}`}>
          <h3 id={`access-${group.access.toLowerCase()}`}>
            <span class={`tag tag-${group.access.toLowerCase()}`}>{group.access}</span>{" "}
            <span class="count">
              {group.endpoints.length} {group.endpoints.length === 1 ? "route" : "routes"}
            </span>
          </h3>
          <div class="table-wrap" role="region" aria-label={`${group.access} endpoints`} tabindex={0}>
            <table class="endpoints">
              <caption class="visually-hidden">{`${group.access} endpoints`}</caption>
              <thead>
                <tr>
                  <th scope="col">Endpoint</th>
                  <th scope="col">Access</th>
                  <th scope="col">What it does</th>
                  <th scope="col">Use it for</th>
                </tr>
              </thead>
              <tbody>
                {group.endpoints.map((e) => (
                  <tr id={e.anchor} data-method={e.method} data-path={e.path}>
                    <td class="route" data-label="Endpoint">
                      <code>
                        <span class="method">{e.method}</span> {e.path}
                      </code>
                      {e.phpPath ? <code class="php">{e.phpPath}</code> : null}
                    </td>
                    <td data-label="Access">
                      <span class={`tag tag-${e.access.toLowerCase()}`}>{e.access}</span>
                    </td>
                    <td data-label="What it does">
                      <InlineText text={e.summary || "—"} />
                    </td>
                    <td data-label="Use it for">
                      <InlineText text={e.description || "—"} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ))}
    </section>
  );
}
