// docker/cli's formatter semantics for listings (cli/command/formatter/
// formatter.go): the table directive, header rows made by the same template
// with Docker's header functions, the json shorthand, `\t` in the format.
import { describe, expect, it } from 'vitest'
import { formatListing } from '../src/render/listing-format'
import { LABELS, type Listing, type ListingRow } from '../src/render/output'

const listing: Listing = { type: '*formatter.ContainerContext', headers: { ID: 'CONTAINER ID', Names: 'NAMES', State: 'STATE' }, columns: ['ID', 'Names'] }
const rows: ListingRow[] = [
  { ID: 'aaa', Names: 'web', State: () => 'running', [LABELS]: { 'com.example.app-name': 'shop' } },
  { ID: 'bbbbbbbbbbbbbbb', Names: 'db', State: 'exited', [LABELS]: {} },
]

describe('listing formats', () => {
  it.each([
    ['a custom format prints one line per row, no header', '{{.Names}}', 'web\ndb\n'],
    ['\\t and \\n written as two characters are a tab and a newline (preFormat)', '{{.Names}}\\t{{.ID}}\\n', 'web\taaa\n\ndb\tbbbbbbbbbbbbbbb\n\n'],
    ['spaces around the format are trimmed (strings.Trim(format, " "))', '  {{.Names}}  ', 'web\ndb\n'],
    ['table: header row from the headers, tabwriter(10, 1, 3) columns', 'table {{.ID}}\\t{{.Names}}', 'CONTAINER ID      NAMES\naaa               web\nbbbbbbbbbbbbbbb   db\n'],
    ['table: header functions hand the header back unchanged', 'table {{upper .Names}}\\t{{json .State}}', 'NAMES     STATE\nWEB       "running"\nDB        "exited"\n'],
    ['table: .Label in the header is the last dotted part, - and _ as spaces', 'table {{.Names}}\\t{{.Label "com.example.app-name"}}', 'NAMES     app name\nweb       shop\ndb        \n'],
    ['table: pad is not a header function, so padded columns stay aligned', 'table {{pad .Names 1 1}}|', ' NAMES |\n web |\n db |\n'],
    ['json: every field with keys sorted, as Docker marshals its rows', 'json', '{"ID":"aaa","Names":"web","State":"running"}\n{"ID":"bbbbbbbbbbbbbbb","Names":"db","State":"exited"}\n'],
  ])('%s', (_why, format, want) => expect(formatListing(format, listing, rows)).toBe(want))

  it('a header that fails keeps what it printed before the failure (Docker ignores the error)', () => {
    expect(formatListing('table {{.Names}}\\t{{index .State 0 0}}', listing, [])).toBe('NAMES     \n')
  })

  it('a row that fails prints nothing and is one error, worded as Docker\'s', () => {
    expect(() => formatListing('{{.Names}} {{.Nope}}', listing, rows)).toThrow(/^template parsing error: template: :1:13: executing "" at <.Nope>: can't evaluate field Nope in type \*formatter.ContainerContext$/)
  })

  it('a field made by a function is only computed when printed', () => {
    let calls = 0
    const lazy: ListingRow[] = [{ ID: 'x', Names: 'n', State: () => String(++calls) }]
    formatListing('{{.Names}}', listing, lazy)
    expect(calls).toBe(0)
    expect(formatListing('{{.State}}', listing, lazy)).toBe('1\n')
  })
})
