// SQL text helpers for the scripts' generated statements (no Node imports: the tests load them in workerd).

/** A SQL string literal. */
export function sqlString(value: string | null | undefined): string {
  if (value === null || value === undefined) return "NULL";
  return `'${value.replace(/'/g, "''")}'`;
}
