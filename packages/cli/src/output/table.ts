// Plain-text tables for `openssm ls` and `openssm sessions`: left-aligned columns two spaces
// apart, '-' for missing values, no trailing blanks — easy to read and to cut with awk.

export interface Column<Row> {
  readonly header: string;
  readonly value: (row: Row) => string | undefined;
}

const GAP = '  ';
const MISSING = '-';

export function formatTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string {
  const cells = rows.map((row) =>
    columns.map((column) => sanitize(column.value(row) ?? '') || MISSING),
  );
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, ...cells.map((line) => line[index]!.length)),
  );
  const render = (line: readonly string[]): string =>
    line
      .map((cell, index) => cell.padEnd(widths[index]!))
      .join(GAP)
      .trimEnd();
  return [columns.map((column) => column.header), ...cells].map(render).join('\n') + '\n';
}

/** Values come from the server: control characters must not reach the terminal. */
function sanitize(value: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return value.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').trim();
}

/** `2026-11-26 18:56:07Z`: sortable, unambiguous, and short enough for a table. */
export function formatTimestamp(date: Date | undefined): string | undefined {
  if (date === undefined || Number.isNaN(date.getTime())) return undefined;
  return date
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z');
}
