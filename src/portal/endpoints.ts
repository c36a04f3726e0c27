/**
 * The endpoint list of the developer portal, read from the OpenAPI document so it cannot drift from
 * the routes: access = the route's tag, what it does = summary, use it for = description.
 */

/** Access kinds in the order the portal lists them (the OpenAPI tags every route carries). */
export const ACCESS_KINDS = ["App", "Staff", "Service", "Admin", "Compatibility", "Legacy", "Operations"] as const;

/** Where a route without one of the known tags is listed, so a mistagged route still shows up. */
export const UNTAGGED = "Untagged";

const METHODS = ["get", "post", "put", "patch", "delete", "head", "options"] as const;

export interface Endpoint {
  method: string;
  path: string;
  /** The `.php` spelling existing PHP-era clients call; null outside /api. */
  phpPath: string | null;
  access: string;
  summary: string;
  description: string;
  /** Stable fragment id for links into the list and the reference. */
  anchor: string;
}

export interface EndpointGroup {
  access: string;
  endpoints: Endpoint[];
}

interface OperationLike {
  tags?: string[];
  summary?: string;
  description?: string;
}

/** The part of an OpenAPI document the list needs. */
export interface OpenApiLike {
  paths?: Record<string, Record<string, unknown> | undefined>;
}

/** Every operation in the document, in document order. */
export function listEndpoints(doc: OpenApiLike): Endpoint[] {
  const out: Endpoint[] = [];
  const anchors = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    if (!item) continue;
    for (const method of METHODS) {
      const op = item[method] as OperationLike | undefined;
      if (!op) continue;
      const tag = op.tags?.[0];
      // Paths that differ only in punctuation would share a fragment id; ids must stay unique.
      const base = `ep-${method}-${path.replace(/[^a-zA-Z0-9]+/g, "-").replace(/^-|-$/g, "")}`;
      let anchor = base;
      for (let n = 2; anchors.has(anchor); n++) anchor = `${base}-${n}`;
      anchors.add(anchor);
      out.push({
        method: method.toUpperCase(),
        path,
        phpPath: path.startsWith("/api/") ? `${path}.php` : null,
        access: tag && (ACCESS_KINDS as readonly string[]).includes(tag) ? tag : UNTAGGED,
        summary: op.summary ?? "",
        description: op.description ?? "",
        anchor,
      });
    }
  }
  return out;
}

/** The endpoints grouped by access kind, in the portal's order; empty groups are left out. */
export function groupEndpoints(endpoints: Endpoint[]): EndpointGroup[] {
  const order: string[] = [...ACCESS_KINDS, UNTAGGED];
  return order
    .map((access) => ({ access, endpoints: endpoints.filter((e) => e.access === access) }))
    .filter((g) => g.endpoints.length > 0);
}
