import type { Scenario } from "../lib/types";

// The foundation's own routes, so the report has real routes from day one and the harness's own
// machinery (JSON bodies, an expected non-2xx status) is exercised. Later issues add their own files.

const scenario: Scenario = {
  name: "foundation",
  description: "site resolution, healthz and the 404 envelope against the floors",
  order: 20,
  routes: [
    {
      // Site resolution of a registered site: one D1 read (site + policy join) and the JSON envelope.
      label: "site_info",
      request: { method: "POST", path: "/api/auth_site_info", body: { site_key: "demo" } },
      floor: "d1",
    },
    {
      // D1 probe + KV read.
      label: "healthz",
      request: { path: "/healthz" },
      floor: "d1",
    },
    {
      // Middleware and the error envelope, no storage.
      label: "not_found",
      request: { path: "/api/no_such_route" },
      expectStatus: 404,
      floor: "bare",
    },
  ],
};

export default scenario;
