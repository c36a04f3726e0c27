/**
 * Headers for the portal's HTML pages. Everything the pages load ships with the Worker, so the
 * policy names only 'self': no inline or remote script can run even if text were ever injected.
 */
const BASE_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "connect-src 'self'",
  // Swagger UI's stylesheet draws its icons as data: SVGs.
  "img-src 'self' data:",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
];

/**
 * Both pages, the Swagger UI one included: no inline script or style element/attribute. Swagger UI
 * sets styles through the DOM (element.style), which CSP does not block.
 */
export const PORTAL_CSP = [...BASE_POLICY, "style-src 'self'"].join("; ");

/** Sets the headers every portal page carries. */
export function setPageHeaders(headers: Headers, csp: string): void {
  headers.set("Content-Security-Policy", csp);
  headers.set("X-Content-Type-Options", "nosniff");
  headers.set("Referrer-Policy", "strict-origin-when-cross-origin");
  headers.set("Cross-Origin-Opener-Policy", "same-origin");
  headers.set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()");
  // The endpoint list is generated per request from the live routes: browsers revalidate every time.
  headers.set("Cache-Control", "no-cache");
}
