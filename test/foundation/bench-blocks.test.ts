import { describe, expect, it } from "vitest";
import { RATIO_BLOCKS, needsAnotherBlock, ratioInterval } from "../../bench/lib/figures";

// The benchmark's stopping rule for req/s ratio targets (bench/README.md, "Floors and how to read the
// figures"): pure arithmetic, checked here so a verdict cannot silently rest on a wrong interval.

describe("bench: ratio interval of blocks", () => {
  it("gives no interval for one block", () => {
    expect(ratioInterval([0.8])).toEqual({ mean: 0.8, halfWidth: null });
  });

  it("is the Student t 95 % interval of the mean", () => {
    // mean 0.75, sample sd 0.05, n = 3: t(2) = 4.303 → 4.303 × 0.05 / √3
    const { mean, halfWidth } = ratioInterval([0.7, 0.75, 0.8]);
    expect(mean).toBeCloseTo(0.75, 12);
    expect(halfWidth).toBeCloseTo((4.303 * 0.05) / Math.sqrt(3), 6);
    // n = 8: t(7) = 2.365
    const eight = [0.7, 0.72, 0.74, 0.76, 0.78, 0.8, 0.72, 0.76];
    const m = eight.reduce((a, b) => a + b, 0) / 8;
    const sd = Math.sqrt(eight.reduce((a, r) => a + (r - m) ** 2, 0) / 7);
    expect(ratioInterval(eight).halfWidth).toBeCloseTo((2.365 * sd) / Math.sqrt(8), 9);
  });

  it("is zero wide when every block agrees", () => {
    expect(ratioInterval([0.9, 0.9, 0.9]).halfWidth).toBe(0);
  });
});

describe("bench: when another block is measured", () => {
  it("always measures the minimum number of blocks", () => {
    for (let n = 0; n < RATIO_BLOCKS.min; n++) expect(needsAnotherBlock(Array(n).fill(2), 0.7)).toBe(true);
  });

  it("stops once the interval leaves the limit on either side", () => {
    expect(needsAnotherBlock([0.9, 0.9, 0.9], 0.7)).toBe(false);
    expect(needsAnotherBlock([0.5, 0.5, 0.5], 0.7)).toBe(false);
  });

  it("goes on while the interval contains the limit, up to the maximum", () => {
    const doubtful = [0.65, 0.75, 0.7];
    expect(needsAnotherBlock(doubtful, 0.7)).toBe(true);
    const many = Array.from({ length: RATIO_BLOCKS.max - 1 }, (_, i) => (i % 2 ? 0.65 : 0.75));
    expect(needsAnotherBlock(many, 0.7)).toBe(true);
    expect(needsAnotherBlock([...many, 0.7], 0.7)).toBe(false);
  });
});
