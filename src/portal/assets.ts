import { PORTAL_CSS } from "./static/portal-css";
import { DOCS_JS, REFERENCE_JS } from "./static/portal-js";

/** The portal's own files, kept in the Worker bundle: /docs/assets/<name>. */
export const OWN_ASSETS: Record<string, { body: string; type: string }> = {
  "portal.css": { body: PORTAL_CSS, type: "text/css; charset=utf-8" },
  "docs.js": { body: DOCS_JS, type: "text/javascript; charset=utf-8" },
  "reference.js": { body: REFERENCE_JS, type: "text/javascript; charset=utf-8" },
};

/**
 * Files of the pinned swagger-ui-dist package (the [assets] directory in wrangler.toml) that the
 * portal hands out: /docs/vendor/swagger-ui/<name>. Only these; the package's demo index.html and
 * petstore initializer stay unreachable.
 */
export const VENDOR_ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui.css.map": "application/json",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "swagger-ui-bundle.js.map": "application/json",
  LICENSE: "text/plain; charset=utf-8",
  NOTICE: "text/plain; charset=utf-8",
};

export const VENDOR_PREFIX = "/docs/vendor/swagger-ui/";
