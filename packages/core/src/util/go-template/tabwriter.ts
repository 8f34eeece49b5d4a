/**
 * Elastic tabstops as Go's text/tabwriter (in docker/cli's copy, which
 * measures text in terminal columns) lays them out: text is cut into cells
 * at `\t` (and `\v`); tab-terminated cells in consecutive lines form a
 * column, padded to its widest cell plus `padding`, at least `minwidth`; the
 * text after a line's last tab belongs to no column and is never padded. A
 * line without any tab ends the block of lines aligned together, as does `\f`.
 *
 * Docker prints its tables through `tabwriter.NewWriter(out, 10, 1, 3, ' ', 0)`:
 * see DOCKER_TABLE.
 */

/** The layout parameters of a tabwriter (Go's NewWriter arguments; padding always with `padchar`). */
export interface TabwriterOptions {
  minwidth: number
  padding: number
  padchar: string
}

/** docker/cli's table layout: columns at least 10 wide, 3 spaces between them. */
export const DOCKER_TABLE: TabwriterOptions = { minwidth: 10, padding: 3, padchar: ' ' }

interface Cell {
  text: string
  width: number
}

/** Lay out `text` as one tabwriter would after writing all of it and flushing. */
export function tabwrite(text: string, options: TabwriterOptions = DOCKER_TABLE): string {
  const out: string[] = []
  let lines: Cell[][] = [[]]
  let cell = ''
  const flush = (): void => {
    if (cell.length > 0) {
      lines[lines.length - 1].push({ text: cell, width: displayWidth(cell) })
      cell = ''
    }
    formatBlock(lines, 0, lines.length, [], options, out)
    lines = [[]]
  }
  for (const ch of text) {
    if (ch !== '\t' && ch !== '\v' && ch !== '\n' && ch !== '\f') {
      cell += ch
      continue
    }
    const line = lines[lines.length - 1]
    line.push({ text: cell, width: displayWidth(cell) })
    cell = ''
    if (ch === '\n' || ch === '\f') {
      lines.push([])
      // A line of one cell cannot affect the lines after it: what is buffered can be laid out now.
      if (ch === '\f' || line.length === 1) flush()
    }
  }
  flush()
  return out.join('')
}

/**
 * Lay out lines [line0, line1) whose first `widths.length` columns are
 * known; each run of lines that has a cell in the next column is a block
 * with its own width for it.
 */
function formatBlock(lines: Cell[][], line0: number, line1: number, widths: number[], o: TabwriterOptions, out: string[]): void {
  const column = widths.length
  let printed = line0
  for (let i = line0; i < line1; i++) {
    if (column >= lines[i].length - 1) continue
    writeLines(lines, printed, i, widths, o, out)
    let width = o.minwidth
    let j = i
    for (; j < line1 && column < lines[j].length - 1; j++) width = Math.max(width, lines[j][column].width + o.padding)
    formatBlock(lines, i, j, [...widths, width], o, out)
    printed = j
    i = j - 1
  }
  writeLines(lines, printed, line1, widths, o, out)
}

function writeLines(lines: Cell[][], from: number, to: number, widths: number[], o: TabwriterOptions, out: string[]): void {
  for (let i = from; i < to; i++) {
    lines[i].forEach((c, j) => {
      out.push(c.text)
      if (j < widths.length) out.push(o.padchar.repeat(Math.max(0, widths[j] - c.width)))
    })
    // Every buffered line but the last (the unterminated one) ended with a newline.
    if (i + 1 < lines.length) out.push('\n')
  }
}

const ZERO_WIDTH = /[\p{Mn}\p{Me}\p{Cf}\p{Cc}]/u
const WIDE = /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}]/u

/** Terminal columns a string takes: wide East Asian characters 2, combining and control characters 0. */
export function displayWidth(s: string): number {
  let w = 0
  for (const ch of s) {
    const c = ch.codePointAt(0)!
    if (c >= 0x20 && c < 0x7f) w++
    else if (ZERO_WIDTH.test(ch)) continue
    else w += WIDE.test(ch) ? 2 : 1
  }
  return w
}
