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

describe("staff routes in the OpenAPI document", () => {
  it("are tagged Staff (the avatar image route is public and tagged App)", async () => {
    const doc = await json(await call("/api/openapi.json"));
    for (const [path, method] of [
      ["/api/auth_profile_update", "post"],
      ["/api/auth_profile_avatar", "post"],
      ["/api/auth_api_keys_create", "post"],
      ["/api/auth_api_keys_list", "get"],
      ["/api/auth_api_keys_revoke", "post"],
    ] as const) {
      const op = doc.paths[path][method];
      expect(op.tags, path).toEqual(["Staff"]);
      expect(op.responses, path).toHaveProperty("401");
    }
    expect(Object.keys(doc.paths["/api/auth_profile_avatar"].post.requestBody.content).sort()).toEqual(["application/json", "multipart/form-data"]);
    expect(doc.paths["/api/avatars/{user}/{key}"].get.tags).toEqual(["App"]);
  });
});
