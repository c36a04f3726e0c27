import { OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../middleware/app-env";
import { validationHook } from "./common";

/**
 * Mounts route groups behind guards that run before each of their routes — and only theirs: the
 * guards are registered on exactly the paths the groups document (a `use("*")` in a sub-app would
 * reach every route of the app it is mounted on). A route added to a group is guarded with it.
 */
export function guardRoutes(groups: readonly OpenAPIHono<AppEnv>[], ...guards: [MiddlewareHandler<AppEnv>, ...MiddlewareHandler<AppEnv>[]]): OpenAPIHono<AppEnv> {
  const guarded = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const paths = new Set<string>();
  for (const group of groups) {
    for (const def of group.openAPIRegistry.definitions) {
      if (def.type === "route") paths.add(def.route.path.replace(/\{(\w+)\}/g, ":$1"));
    }
  }
  for (const path of paths) guarded.use(path, ...guards);
  for (const group of groups) guarded.route("/", group);
  return guarded;
}
