import { describe, expect, it } from "vitest";
import lockText from "../../package-lock.json?raw";
import packageText from "../../package.json?raw";

// @simplewebauthn/server verifies every ES256 signature through @peculiar/asn1-schema's AsnParser
// with a schema registered by @peculiar/asn1-ecc. Two copies of asn1-schema mean two schema
// registries: the parser then fails with "Cannot get schema" at run time, in the Worker bundle too.
// These tests keep the lock file (what `npm ci` installs, and so what wrangler bundles) at one copy.

interface LockPackage {
  version?: string;
  dependencies?: Record<string, string>;
}
const lock = JSON.parse(lockText) as { packages: Record<string, LockPackage> };
const pkg = JSON.parse(packageText) as { dependencies: Record<string, string>; overrides?: Record<string, string> };

/** Every installed copy of `name` in the lock file: its path and version. */
function copiesOf(name: string): { path: string; version: string | undefined }[] {
  return Object.entries(lock.packages)
    .filter(([path]) => path === `node_modules/${name}` || path.endsWith(`/node_modules/${name}`))
    .map(([path, entry]) => ({ path, version: entry.version }));
}

function versionAtLeast(version: string, min: [number, number, number]): boolean {
  const parts = version.split(".").map((p) => Number.parseInt(p, 10));
  for (let i = 0; i < 3; i++) {
    const a = parts[i] ?? 0;
    if (a !== min[i]) return a > min[i]!;
  }
  return true;
}

describe("passkey dependencies in package-lock.json", () => {
  it("installs exactly one copy of @peculiar/asn1-schema", () => {
    const copies = copiesOf("@peculiar/asn1-schema");
    expect(copies).toEqual([{ path: "node_modules/@peculiar/asn1-schema", version: pkg.overrides?.["@peculiar/asn1-schema"] }]);
  });

  it("every @peculiar/asn1-* package resolves asn1-schema to that one copy (none nests its own)", () => {
    const nested = Object.keys(lock.packages).filter((path) => /node_modules\/@peculiar\/[^/]+\/node_modules\//.test(path));
    expect(nested).toEqual([]);
    const dependents = Object.entries(lock.packages).filter(([, entry]) => entry.dependencies?.["@peculiar/asn1-schema"]);
    expect(dependents.length).toBeGreaterThan(3);
  });

  it("pins @simplewebauthn/server exactly at a release with the GHSA-6hxq-p678-4hr2 fix (>= 13.3.2) and the browser package exactly", () => {
    const server = pkg.dependencies["@simplewebauthn/server"]!;
    expect(server).toMatch(/^\d+\.\d+\.\d+$/);
    expect(versionAtLeast(server, [13, 3, 2])).toBe(true);
    expect(copiesOf("@simplewebauthn/server")).toEqual([{ path: "node_modules/@simplewebauthn/server", version: server }]);
    const browser = pkg.dependencies["@simplewebauthn/browser"]!;
    expect(browser).toMatch(/^\d+\.\d+\.\d+$/);
    expect(copiesOf("@simplewebauthn/browser")).toEqual([{ path: "node_modules/@simplewebauthn/browser", version: browser }]);
  });
});
