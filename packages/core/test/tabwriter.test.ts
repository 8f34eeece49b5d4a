// Go's text/tabwriter layout, as its package documentation describes it and
// as docker/cli prints tables with it (NewWriter(out, 10, 1, 3, ' ', 0)).
import { describe, expect, it } from 'vitest'
import { displayWidth, tabwrite } from '../src/util/go-template/tabwriter'

describe('tabwriter', () => {
  it('pads each tab-terminated cell to its column, at least minwidth (10), plus padding (3)', () => {
    expect(tabwrite('CONTAINER ID\tIMAGE\tNAMES\nabc\tdemo:1\tweb\n')).toBe('CONTAINER ID   IMAGE     NAMES\nabc            demo:1    web\n')
  })

  it('text after the last tab of a line is in no column and is not padded (doc: "Column cells must be tab-terminated")', () => {
    expect(tabwrite('a\tlong last cell\nbb\tx\n')).toBe('a         long last cell\nbb        x\n')
  })

  it("a column is only as long as the contiguous lines that have it (doc's aaaa|bbb|d example)", () => {
    const out = tabwrite('aaaa\tbbb\td\naa\tb\tdd\na\t\naa\tcccc\teee\n', { minwidth: 0, padding: 1, padchar: '.' })
    expect(out).toBe('aaaa.bbb.d\naa...b...dd\na....\naa...cccc.eee\n')
  })

  it('empty cells are padded too, so later columns stay aligned', () => {
    expect(tabwrite('A\tPORTS\tNAMES\nx\t\tweb\n')).toBe('A         PORTS     NAMES\nx                   web\n')
  })

  it('a line without tabs ends the block of aligned lines', () => {
    expect(tabwrite('a\tb\nplain\nlonger-cell-here\tc\n')).toBe('a         b\nplain\nlonger-cell-here   c\n')
  })

  it('wide characters take two columns, combining marks none (docker/cli measures with go-runewidth)', () => {
    expect(displayWidth('日本')).toBe(4)
    expect(displayWidth('e\u0301')).toBe(1)
    expect(tabwrite('日本語\tx\nab\ty\n')).toBe('日本語    x\nab        y\n')
  })
})
