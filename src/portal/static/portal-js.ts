/**
 * Scripts the portal pages load from the Worker (CSP script-src 'self'; nothing inline).
 * DOCS_JS: copy buttons for the snippets. REFERENCE_JS: starts Swagger UI on the live document,
 * with "Try it out" pointed at the origin the page was loaded from.
 */
export const DOCS_JS = `"use strict";
document.addEventListener("click", function (event) {
  var button = event.target instanceof Element ? event.target.closest("button[data-copy]") : null;
  if (!button) return;
  var code = document.getElementById(button.getAttribute("data-copy"));
  if (!code || !navigator.clipboard) return;
  navigator.clipboard.writeText(code.textContent || "").then(function () {
    var label = button.textContent;
    button.textContent = "Copied";
    var status = document.getElementById("copy-status");
    if (status) status.textContent = "Snippet copied to the clipboard.";
    setTimeout(function () { button.textContent = label; }, 1500);
  });
});
`;

export const REFERENCE_JS = `"use strict";
(function () {
  var root = document.getElementById("swagger-ui");
  var status = document.getElementById("reference-status");
  // Swagger UI leaves its request-body editor unlabelled and its scrolling code blocks out of the
  // tab order; name them and make them focusable as they appear.
  function labelControls() {
    root.querySelectorAll("textarea:not([aria-label])").forEach(function (el) {
      var op = el.closest(".opblock");
      var path = op && op.querySelector(".opblock-summary-path");
      el.setAttribute("aria-label", "Request body" + (path ? " for " + path.getAttribute("data-path") : ""));
    });
    root.querySelectorAll("input.operation-filter-input:not([aria-label])").forEach(function (el) {
      el.setAttribute("aria-label", "Filter operations by access kind");
    });
    root.querySelectorAll("pre.microlight:not([tabindex]), .curl-command pre:not([tabindex]), pre.curl:not([tabindex])").forEach(function (el) {
      el.setAttribute("tabindex", "0");
    });
  }
  fetch("/api/openapi.json", { headers: { Accept: "application/json" }, credentials: "same-origin" })
    .then(function (res) {
      if (!res.ok) throw new Error("HTTP " + res.status);
      return res.json();
    })
    .then(function (spec) {
      // Try it out goes to this origin, whatever PUBLIC_BASE_URL says.
      spec.servers = [{ url: window.location.origin, description: "This Auth2 instance" }];
      window.ui = window.SwaggerUIBundle({
        spec: spec,
        domNode: root,
        // Deep links put a link inside each operation toggle button (nested controls), so they stay off.
        deepLinking: false,
        presets: [window.SwaggerUIBundle.presets.apis],
        layout: "BaseLayout",
        validatorUrl: null,
        withCredentials: true,
        tryItOutEnabled: false,
        displayRequestDuration: true,
        filter: true,
        defaultModelsExpandDepth: 0,
        docExpansion: "list",
        persistAuthorization: false,
        syntaxHighlight: { activated: true, theme: "agate" }
      });
      if (status) status.textContent = "";
      labelControls();
      new MutationObserver(labelControls).observe(root, { childList: true, subtree: true });
    })
    .catch(function (err) {
      if (status) status.textContent = "The API document could not be loaded (" + err.message + "). It is also available at /api/openapi.json.";
    });
})();
`;
