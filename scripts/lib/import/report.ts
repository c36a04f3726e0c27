import type { ImportPlan } from "./plan";
import type { LineError } from "./read";

// Human-readable output of the import: the bad-row report and the summary. Pure.

/** One line per problem, in file order: `line 12: email: is not a valid email address`. */
export function formatErrors(errors: LineError[], max = 200): string {
  const sorted = [...errors].sort((a, b) => a.line - b.line);
  const lines = sorted.slice(0, max).map((e) => `  line ${e.line}: ${e.field ? `${e.field}: ` : ""}${e.message}`);
  if (sorted.length > max) lines.push(`  … and ${sorted.length - max} more`);
  return lines.join("\n");
}

/** How many distinct lines have at least one problem. */
export function countBadLines(errors: LineError[]): number {
  return new Set(errors.map((e) => e.line)).size;
}

export function formatSummary(counts: ImportPlan["counts"], bad: number, dryRun: boolean): string {
  const verb = dryRun ? "would be " : "";
  const lines = [
    `  ${verb}inserted:  ${counts.inserted}`,
    `  ${verb}updated:   ${counts.updated}`,
    `  unchanged: ${counts.unchanged}`,
    `  skipped (email exists): ${counts.skipped}`,
    `  pending without a password (they onboard): ${counts.pendingWithoutHash}`,
    `  bad rows:  ${bad}`,
  ];
  if (counts.activeWithoutHash > 0) {
    lines.push(`  note: ${counts.activeWithoutHash} row(s) asked for status "active" without a password hash and ${dryRun ? "would be" : "were"} written as "pending"`);
  }
  return lines.join("\n");
}

/** `[##########··········]  50%  50000/100000` */
export function progressBar(done: number, total: number, width = 30): string {
  const ratio = total === 0 ? 1 : Math.min(1, done / total);
  const filled = Math.round(ratio * width);
  return `[${"#".repeat(filled)}${"·".repeat(width - filled)}] ${String(Math.round(ratio * 100)).padStart(3)}%  ${done}/${total}`;
}
