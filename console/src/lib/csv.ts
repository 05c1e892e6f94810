// CSV for a spreadsheet (RFC 4180 quoting), safe against formula injection: a cell that begins
// with =, +, - or @ (or a tab / carriage return, which some spreadsheets skip before them) is
// prefixed with ' so it is read as text, never as a formula.

export type Cell = string | number | boolean | null;

export function guardCell(value: Cell): string {
  if (value === null) return "";
  const s = String(value);
  // Numbers are data: "-3" from a number stays "-3"; a string "-3" is guarded like any text.
  if (typeof value === "number") return s;
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

export function quoteCell(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const line = (cells: readonly Cell[]) => cells.map((c) => quoteCell(guardCell(c))).join(",");
  return [line(header), ...rows.map(line)].join("\r\n") + "\r\n";
}

/** The file's text: with a byte-order mark, so spreadsheets read the UTF-8 (Chinese names) right. */
export function csvFileText(csv: string): string {
  return "\uFEFF" + csv;
}
