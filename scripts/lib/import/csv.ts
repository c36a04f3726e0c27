// RFC 4180 CSV: comma-separated, fields optionally in double quotes, "" for a quote inside a quoted
// field, quoted fields may hold commas and line breaks; CRLF or LF line ends; a UTF-8 BOM is ignored.
// Pure (no Node APIs) so it runs in workerd tests as well as in the import script.

export interface CsvRecord {
  /** 1-based physical line on which the record starts (the header is line 1). */
  line: number;
  fields: string[];
}

export interface CsvError {
  line: number;
  message: string;
}

export interface CsvParseResult {
  records: CsvRecord[];
  errors: CsvError[];
}

/** Splits CSV text into records. Blank lines are skipped; a quote error ends that record. */
export function parseCsv(text: string): CsvParseResult {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  const errors: CsvError[] = [];
  const n = src.length;
  let i = 0;
  let line = 1;

  while (i < n) {
    const startLine = line;
    const fields: string[] = [];
    let broken = false;
    // One record.
    for (;;) {
      let value = "";
      if (src[i] === '"') {
        i++;
        let closed = false;
        while (i < n) {
          const quote = src.indexOf('"', i);
          if (quote === -1) break;
          const chunk = src.slice(i, quote);
          value += chunk;
          line += countNewlines(chunk);
          if (src[quote + 1] === '"') {
            value += '"';
            i = quote + 2;
          } else {
            i = quote + 1;
            closed = true;
            break;
          }
        }
        if (!closed) {
          errors.push({ line: startLine, message: "unterminated quoted field" });
          return { records, errors };
        }
        const next = src[i];
        if (i < n && next !== "," && next !== "\n" && next !== "\r") {
          errors.push({ line, message: "unexpected character after a closing quote" });
          broken = true;
          // Skip to the end of this physical line and resynchronise there.
          while (i < n && src[i] !== "\n") i++;
        }
      } else {
        let j = i;
        while (j < n && src[j] !== "," && src[j] !== "\n" && src[j] !== "\r") j++;
        value = src.slice(i, j);
        if (value.includes('"')) {
          errors.push({ line, message: "a quote inside an unquoted field" });
          broken = true;
        }
        i = j;
      }
      fields.push(value);
      if (broken || i >= n) break;
      if (src[i] === ",") {
        i++;
        continue;
      }
      break; // line end
    }
    // Consume the line end.
    if (src[i] === "\r") i++;
    if (src[i] === "\n") i++;
    line++;
    if (broken) continue;
    if (fields.length === 1 && fields[0] === "") continue; // blank line
    records.push({ line: startLine, fields });
  }
  return { records, errors };
}

function countNewlines(text: string): number {
  let count = 0;
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === 10) count++;
    else if (c === 13 && text.charCodeAt(k + 1) !== 10) count++;
  }
  return count;
}
