/** The portal's stylesheet (served as /docs/assets/portal.css). System fonts only: nothing is fetched. */
export const PORTAL_CSS = `
:root {
  --fg: #1b1f24; --muted: #57606a; --bg: #ffffff; --panel: #f6f8fa; --line: #d0d7de;
  --accent: #0a58ca; --accent-fg: #ffffff; --code-bg: #0f172a; --code-fg: #e2e8f0; --focus: #ffbf47;
  --tag-app: #0a58ca; --tag-staff: #1a7f37; --tag-service: #8250df; --tag-admin: #cf222e;
  --tag-compat: #9a6700; --tag-legacy: #6e7781; --tag-ops: #0e7490;
  color-scheme: light;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; color: var(--fg); background: var(--bg); line-height: 1.55;
  font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
a { color: var(--accent); }
a:focus-visible, button:focus-visible, [tabindex]:focus-visible, summary:focus-visible {
  outline: 3px solid var(--focus); outline-offset: 2px;
}
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.9em; }
.prose :not(pre) > code { background: var(--panel); border: 1px solid var(--line); border-radius: 4px; padding: 0 0.25em; overflow-wrap: anywhere; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.skip-link { position: absolute; left: -9999px; top: 0; background: var(--accent); color: var(--accent-fg); padding: 0.5rem 1rem; z-index: 10; }
.skip-link:focus { left: 0.5rem; top: 0.5rem; }
.site-header { background: #0d1b2a; color: #fff; }
.site-header .bar { max-width: 72rem; margin: 0 auto; padding: 0.75rem 1rem; display: flex; flex-wrap: wrap; gap: 0.5rem 1.5rem; align-items: center; justify-content: space-between; }
.brand { color: #fff; font-weight: 700; font-size: 1.15rem; text-decoration: none; }
.site-header nav ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; }
.site-header nav a { color: #dbe7ff; text-decoration: none; padding: 0.25rem 0; display: inline-block; }
.site-header nav a:hover, .site-header nav a[aria-current="page"] { color: #fff; text-decoration: underline; }
main { max-width: 72rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
main.wide { max-width: none; padding: 1rem 0 3rem; }
main.wide > .intro { max-width: 72rem; margin: 0 auto; padding: 0 1rem; }
.prose h1 { font-size: 2rem; line-height: 1.2; margin: 0.5rem 0 0.25rem; }
.prose h2 { font-size: 1.5rem; margin: 2.5rem 0 0.75rem; padding-top: 0.5rem; border-top: 1px solid var(--line); }
.prose h3 { font-size: 1.15rem; margin: 1.75rem 0 0.5rem; }
.lead { font-size: 1.15rem; color: var(--muted); margin-top: 0; }
.toc { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 0.75rem 1.25rem; }
.prose .toc h2 { border: 0; margin: 0 0 0.25rem; padding: 0; font-size: 1.05rem; }
.toc ol { margin: 0; padding-left: 1.25rem; columns: 2 16rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(15rem, 1fr)); gap: 1rem; margin: 1rem 0; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 1rem; background: var(--bg); }
.prose .card h3 { margin-top: 0; }
.card p:last-child, .card ul:last-child { margin-bottom: 0; }
.note { border-left: 4px solid var(--accent); background: var(--panel); padding: 0.75rem 1rem; border-radius: 0 8px 8px 0; }
.table-wrap { overflow-x: auto; border: 1px solid var(--line); border-radius: 8px; margin: 1rem 0; }
.prose table { border-collapse: collapse; width: 100%; }
.prose caption { text-align: left; font-weight: 600; padding: 0.75rem 0.75rem 0.25rem; }
.prose th, .prose td { text-align: left; vertical-align: top; padding: 0.6rem 0.75rem; border-top: 1px solid var(--line); }
.prose thead th { background: var(--panel); border-top: 0; white-space: nowrap; }
.route code { white-space: nowrap; }
.route .php { display: block; color: var(--muted); font-size: 0.85em; margin-top: 0.2rem; }
.method { display: inline-block; min-width: 3.6em; font-weight: 700; font-size: 0.8em; }
.tag { display: inline-block; border-radius: 999px; padding: 0.05rem 0.6rem; font-size: 0.85em; font-weight: 600; color: #fff; background: var(--tag-legacy); white-space: nowrap; }
.tag-app { background: var(--tag-app); } .tag-staff { background: var(--tag-staff); } .tag-service { background: var(--tag-service); }
.tag-admin { background: var(--tag-admin); } .tag-compatibility { background: var(--tag-compat); } .tag-legacy { background: var(--tag-legacy); }
.tag-operations { background: var(--tag-ops); }
.count { color: var(--muted); font-weight: 400; font-size: 0.9em; }
.snippet { margin: 1rem 0 1.5rem; }
.snippet-head { display: flex; justify-content: space-between; align-items: center; gap: 0.5rem; background: #1e293b; color: #e2e8f0; border-radius: 8px 8px 0 0; padding: 0.4rem 0.75rem; font-size: 0.9rem; }
.snippet pre { margin: 0; background: var(--code-bg); color: var(--code-fg); padding: 1rem; border-radius: 0 0 8px 8px; overflow-x: auto; line-height: 1.45; }
.copy { font: inherit; font-size: 0.85rem; border: 1px solid #64748b; background: transparent; color: #e2e8f0; border-radius: 6px; padding: 0.2rem 0.7rem; cursor: pointer; min-height: 2rem; }
.copy:hover { background: #334155; }
.site-footer { border-top: 1px solid var(--line); color: var(--muted); font-size: 0.9rem; }
.site-footer p { max-width: 72rem; margin: 0 auto; padding: 1rem; }
.loading { padding: 0 0 1rem; color: var(--muted); }
.loading:empty { display: none; }
/* Swagger UI on narrow screens: long URLs and curl commands wrap instead of widening the page. */
#swagger-ui .curl-command pre, #swagger-ui .request-url pre, #swagger-ui .microlight { white-space: pre-wrap; word-break: break-all; }
/* The page's own intro replaces Swagger UI's title block and its one-entry server picker (requests go to this origin). */
#swagger-ui .information-container, #swagger-ui .scheme-container { display: none; }
.prose h2.ops-title { border-top: 0; margin: 1.5rem 0 0; padding: 0; }
/* Method badges dark enough for white text (WCAG AA); Swagger UI's defaults are too light. */
#swagger-ui .opblock-get .opblock-summary-method { background: #0b5cad; }
#swagger-ui .opblock-post .opblock-summary-method { background: #1a7f37; }
#swagger-ui .opblock-put .opblock-summary-method { background: #9a5b00; }
#swagger-ui .opblock-patch .opblock-summary-method { background: #0e6b58; }
#swagger-ui .opblock-delete .opblock-summary-method { background: #b42318; }
#swagger-ui .opblock-head .opblock-summary-method { background: #6d28d9; }
#swagger-ui .btn.execute { background: #0b5cad; border-color: #0b5cad; }
#swagger-ui .btn.cancel { color: #b42318; border-color: #b42318; }
#swagger-ui .download-contents { background: #4b5563; }
#swagger-ui .json-schema-2020-12-expand-deep-button { color: #1b1f24; }
#swagger-ui pre code { white-space: pre-wrap; word-break: break-all; }
#swagger-ui .responses-inner { overflow-x: auto; }
#swagger-ui .btn-group { flex-wrap: wrap; }
@media (max-width: 480px) { #swagger-ui .wrapper { padding: 0 8px; } }
@media (max-width: 720px) {
  .prose h1 { font-size: 1.6rem; }
  .prose h2 { font-size: 1.3rem; }
  .endpoints thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  .endpoints tr { display: block; border-top: 1px solid var(--line); padding: 0.5rem 0; }
  .endpoints td { display: block; border: 0; padding: 0.2rem 0.75rem; }
  .endpoints td[data-label]::before { content: attr(data-label) ": "; font-weight: 600; color: var(--muted); }
  .route code { white-space: normal; overflow-wrap: anywhere; }
  .compare th, .compare td { padding: 0.5rem; }
}
@media (prefers-reduced-motion: reduce) { * { scroll-behavior: auto !important; transition: none !important; } }
`;
