import { describe, expect, it } from "vitest";
import { ERROR_CODES } from "../../src/lib/errors";
import doc from "../../docs/errors.md?raw";

describe("docs/errors.md", () => {
  it("lists exactly the codes the code can send, with their statuses", () => {
    const rows = [...doc.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]);
    const documented = Object.fromEntries(rows);
    const actual = Object.fromEntries(Object.entries(ERROR_CODES).map(([code, { status }]) => [code, status]));
    expect(documented).toEqual(actual);
  });
});
