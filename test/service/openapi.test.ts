import { describe, expect, it } from "vitest";
import { call, json } from "../helpers";

describe("service routes in the OpenAPI document", () => {
  it("are tagged Service and declare the X-Service-Key scheme", async () => {
    const doc = await json(await call("/api/openapi.json"));
    expect(doc.components.securitySchemes.ServiceKey).toMatchObject({ type: "apiKey", in: "header", name: "X-Service-Key" });
    for (const path of ["/api/auth_api_key_verify", "/api/service/user_resolve", "/api/firebase_custom_token"]) {
      const op = doc.paths[path].post;
      expect(op.tags, path).toEqual(["Service"]);
      expect(op.security, path).toEqual([{ ServiceKey: [] }]);
      expect(op.responses, path).toHaveProperty("401");
      expect(op.responses, path).toHaveProperty("403");
    }
  });
});
