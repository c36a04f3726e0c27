import { describe, expect, it } from "vitest";
import { countBadLines, formatErrors, formatSummary, progressBar } from "../../scripts/lib/import/report";

describe("import report", () => {
  it("lists problems in line order, capped, and counts bad lines once", () => {
    const errors = [
      { line: 9, field: "status", message: "bad" },
      { line: 3, message: "expected 4 fields, found 3" },
      { line: 9, field: "email", message: "bad" },
    ];
    expect(formatErrors(errors)).toBe("  line 3: expected 4 fields, found 3\n  line 9: status: bad\n  line 9: email: bad");
    expect(formatErrors(errors, 1)).toBe("  line 3: expected 4 fields, found 3\n  … and 2 more");
    expect(countBadLines(errors)).toBe(2);
  });

  it("summarises, and says when active rows without a hash became pending", () => {
    const counts = { inserted: 5, updated: 1, unchanged: 2, skipped: 0, pendingWithoutHash: 3, activeWithoutHash: 2 };
    const summary = formatSummary(counts, 0, false);
    expect(summary).toContain("inserted:  5");
    expect(summary).toContain("pending without a password (they onboard): 3");
    expect(summary).toContain('2 row(s) asked for status "active" without a password hash and were written as "pending"');
    expect(formatSummary({ ...counts, activeWithoutHash: 0 }, 0, true)).not.toContain("note:");
    expect(formatSummary(counts, 0, true)).toContain("would be inserted:  5");
  });

  it("draws a progress bar", () => {
    expect(progressBar(0, 4, 4)).toBe("[····]   0%  0/4");
    expect(progressBar(2, 4, 4)).toBe("[##··]  50%  2/4");
    expect(progressBar(0, 0, 4)).toBe("[####] 100%  0/0");
  });
});
