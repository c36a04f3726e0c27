import type { BenchContext } from "./types";

// Write accounting for load scenarios: every request carries its own tag (User-Agent
// `<prefix>/<index>`), which the Worker stores with what it writes (audit_log.user_agent, a
// session's user_agent). After the load, the rows per tag are compared with the responses the
// harness received: each answered request must have left exactly its rows, none twice.

/** The User-Agent that tags request `i` of a route. */
export function requestTag(prefix: string, i: number): string {
  return `${prefix}/${i}`;
}

/** Index of a tag written by `requestTag(prefix, …)`, or null for another route's tag. */
export function tagIndex(prefix: string, tag: string | null | undefined): number | null {
  if (!tag || !tag.startsWith(`${prefix}/`)) return null;
  const n = Number(tag.slice(prefix.length + 1));
  return Number.isInteger(n) ? n : null;
}

/** Rows per request index, from (tag, count) pairs. */
export function countByIndex(prefix: string, rows: { tag: string | null; n: number }[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const r of rows) {
    const i = tagIndex(prefix, r.tag);
    if (i !== null) out.set(i, (out.get(i) ?? 0) + Number(r.n));
  }
  return out;
}

export interface Accounting {
  /** Answered requests whose answer means one row. */
  expected: number;
  /** …of which the row was found exactly once. */
  found: number;
  /** …of which no row was found. */
  lost: number;
  /** Requests (answered or not) with more than one row. */
  duplicated: number;
  /** Rows of answered requests whose answer means no row (e.g. a refusal). */
  unexpected: number;
  /** Rows of requests the harness never saw answered (in flight when a load generator stopped). */
  unanswered: number;
}

/**
 * Compares rows per request index with the answers: `withRow` = answered requests that must have
 * left exactly one row, `answered` = every answered request (a superset).
 */
export function account(rows: Map<number, number>, withRow: Set<number>, answered: Set<number>): Accounting {
  const a: Accounting = { expected: withRow.size, found: 0, lost: 0, duplicated: 0, unexpected: 0, unanswered: 0 };
  for (const i of withRow) {
    const n = rows.get(i) ?? 0;
    if (n === 0) a.lost++;
    else if (n === 1) a.found++;
  }
  for (const [i, n] of rows) {
    if (n > 1) a.duplicated++;
    if (!answered.has(i)) a.unanswered++;
    else if (!withRow.has(i)) a.unexpected++;
  }
  return a;
}

/** Problems for an accounting (none when every answered request left exactly its row). */
export function accountingProblems(what: string, a: Accounting, unansweredSlack: number): string[] {
  const problems: string[] = [];
  if (a.lost > 0) problems.push(`${what}: ${a.lost} of ${a.expected} answered requests left no row`);
  if (a.duplicated > 0) problems.push(`${what}: ${a.duplicated} requests with more than one row`);
  if (a.unexpected > 0) problems.push(`${what}: ${a.unexpected} rows for requests whose answer means none`);
  if (a.unanswered > unansweredSlack) problems.push(`${what}: ${a.unanswered} rows of unanswered requests (more than the ${unansweredSlack} that can be in flight when the load stops)`);
  return problems;
}

export function accountingText(what: string, a: Accounting): string {
  return `${what} ${a.found}/${a.expected}${a.duplicated ? `, ${a.duplicated} duplicated` : ""}${a.unanswered ? ` (+${a.unanswered} of requests in flight at the stop)` : ""}`;
}

/**
 * Polls `read` until two reads a second apart agree (writes made after the response — waitUntil,
 * queue consumers — have landed), for at most `maxSeconds`. Returns the last read.
 */
export async function settle<T>(ctx: BenchContext, read: () => Promise<T>, maxSeconds = 10): Promise<T> {
  const until = Date.now() + maxSeconds * 1000;
  let last = JSON.stringify(await read());
  for (;;) {
    await new Promise((r) => setTimeout(r, 1000));
    const value = await read();
    const now = JSON.stringify(value);
    if (now === last || Date.now() > until) {
      if (now !== last) ctx.log(`still changing after ${maxSeconds} s`);
      return value;
    }
    last = now;
  }
}
