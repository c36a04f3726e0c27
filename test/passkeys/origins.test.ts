import { describe, expect, it } from "vitest";
import { classifyPasskeyOrigin, isValidRpId, passkeyAllowedOrigins, registrableDomain, resolvePasskeyRpId } from "../../src/services/passkeys/origins";

describe("passkey RP ID and allowed origins", () => {
  it("an RP ID is a host name with a registrable domain, or localhost; never an IP or a public suffix", () => {
    for (const ok of ["auth.example.com", "example.com", "localhost", "auth.example.co.uk", "tenant.github.io", "xn--bcher-kva.example"]) expect(isValidRpId(ok), ok).toBe(true);
    for (const bad of ["", "127.0.0.1", "::1", "[::1]", "com", "co.uk", "github.io", "Auth.Example.com", "auth.example.com:443", "https://auth.example.com", "-bad.example.com", "a..b.com"]) {
      expect(isValidRpId(bad), bad).toBe(false);
    }
  });

  it("registrable domains follow the public suffix list, private suffixes included", () => {
    expect(registrableDomain("a.b.example.co.uk")).toBe("example.co.uk");
    expect(registrableDomain("alice.github.io")).toBe("alice.github.io");
    expect(registrableDomain("localhost")).toBeNull();
    expect(registrableDomain("127.0.0.1")).toBeNull();
  });

  it("classifies origins: under the RP ID, same registrable domain, or foreign", () => {
    const rp = "auth.example.com";
    expect(classifyPasskeyOrigin(rp, "https://auth.example.com")).toBe("rp");
    expect(classifyPasskeyOrigin(rp, "https://eu.auth.example.com")).toBe("rp");
    expect(classifyPasskeyOrigin(rp, "https://auth.example.com:8443")).toBe("rp");
    expect(classifyPasskeyOrigin(rp, "https://app.example.com")).toBe("related");
    expect(classifyPasskeyOrigin(rp, "https://example.com")).toBe("related");
    expect(classifyPasskeyOrigin("example.com", "https://app.example.com")).toBe("rp");
    for (const foreign of [
      "https://example.org",
      "https://auth.example.com.evil.test",
      "https://evilauth.example.com.test",
      "http://auth.example.com", // plain http off localhost
      "https://auth.example.com/", // not exactly an origin
      "https://auth.example.com/login",
      "https://user@auth.example.com",
      "https://auth.example.com:443", // the default port is not how browsers write the origin
      "https://93.184.216.34",
      "null",
      "",
    ]) {
      expect(classifyPasskeyOrigin(rp, foreign), foreign).toBe("foreign");
    }
  });

  it("two tenants of one private suffix are foreign to each other", () => {
    expect(classifyPasskeyOrigin("alice.github.io", "https://mallory.github.io")).toBe("foreign");
    expect(classifyPasskeyOrigin("auth.alice.github.io", "https://app.alice.github.io")).toBe("related");
    expect(classifyPasskeyOrigin("auth.example.co.uk", "https://other.co.uk")).toBe("foreign");
  });

  it("development: localhost over http", () => {
    expect(classifyPasskeyOrigin("localhost", "http://localhost:8787")).toBe("rp");
    expect(classifyPasskeyOrigin("localhost", "http://127.0.0.1:8787")).toBe("foreign");
    expect(classifyPasskeyOrigin("localhost", "http://app.localhost:3000")).toBe("rp");
  });

  it("allowed origins: Auth2's own first, then same-domain sites, no duplicates, foreign sites left out", () => {
    const origins = passkeyAllowedOrigins({
      rpId: "auth.example.com",
      auth2Origin: "https://auth.example.com",
      siteOrigins: ["https://app.example.com", "https://partner.example.org", "https://auth.example.com", "https://app.example.com", "http://app.example.com"],
    });
    expect(origins).toEqual(["https://auth.example.com", "https://app.example.com"]);
  });

  it("refuses an RP ID that Auth2's own origin cannot use", () => {
    expect(() => passkeyAllowedOrigins({ rpId: "auth.example.com", auth2Origin: "https://login.example.com", siteOrigins: [] })).toThrow(/cannot be used/);
    expect(() => passkeyAllowedOrigins({ rpId: "example.com", auth2Origin: "https://auth.example.com", siteOrigins: [] })).not.toThrow();
  });

  it("the RP ID defaults to the public base URL's host; an IP address is refused", () => {
    expect(resolvePasskeyRpId("https://auth.example.com")).toBe("auth.example.com");
    expect(resolvePasskeyRpId("https://auth.example.com", "example.com")).toBe("example.com");
    expect(resolvePasskeyRpId("http://localhost:8787")).toBe("localhost");
    expect(() => resolvePasskeyRpId("http://127.0.0.1:8787")).toThrow(/cannot be a WebAuthn RP ID/);
    expect(() => resolvePasskeyRpId("https://auth.example.com", "com")).toThrow();
  });
});
