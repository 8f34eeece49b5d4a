/**
 * Plain-text tables as Docker prints them: a header row, columns separated by
 * at least three spaces, no borders, so people can read them and awk can cut them.
 */
export function renderTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] + 3))).join('').trimEnd()
  return [line(headers), ...rows.map(line)].join('\n') + '\n'
}
