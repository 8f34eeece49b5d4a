/**
 * `--format` for listings, with docker/cli's formatter semantics: `json` is
 * `{{json .}}`; a format starting with `table` drops that word and gets a
 * header row (the same template run over the header names, with Docker's
 * header functions) and column alignment; `\t` and `\n` written as two
 * characters become a tab and a newline; each row's output ends with a
 * newline. Nothing is printed unless every row succeeds, and the errors read
 * as Docker's: `template parsing error: template: :1: unclosed action`.
 */
import { goTemplateEngine, InvalidArgumentError, tabwrite, TemplateExecError, TemplateSyntaxError, type GoFunc, type GoTemplate } from '@tsrun/core'
import { fieldText, LABELS, type Listing, type ListingOptions, type ListingRow } from './output'

/** Parse `format` as Docker's formatter would (throws its one-line error). */
export function parseListingFormat(format: string): GoTemplate {
  const table = format.startsWith('table')
  let text = format === 'json' ? '{{json .}}' : table ? format.slice('table'.length) : format
  text = text.replace(/^ +| +$/g, '').replace(/\\([tn])/g, (_m, c: string) => (c === 't' ? '\t' : '\n'))
  try {
    return goTemplateEngine().compileGoTemplate(text)
  } catch (err) {
    if (err instanceof TemplateSyntaxError) throw new InvalidArgumentError(`template parsing error: ${err.message}`)
    throw err
  }
}

/** The whole output of `format` over `rows`. */
export function formatListing(format: string, listing: Listing, rows: ListingRow[], options: ListingOptions = {}): string {
  const { DOCKER_HEADER_FUNCS } = goTemplateEngine()
  const table = format.startsWith('table')
  const template = parseListingFormat(format)
  const out: string[] = []
  rows.forEach((row, i) => {
    try {
      out.push(template.execute(rowContext(listing, row, i)), '\n')
    } catch (err) {
      if (err instanceof TemplateExecError) throw new InvalidArgumentError(`template parsing error: ${err.message}`)
      throw err
    }
  })
  if (!table) return out.join('')
  if (options.noHeading) return tabwrite(out.join(''))
  // Docker ignores a header row that fails: what it printed up to the failure stays.
  let header: string
  try {
    header = template.execute(headerContext(listing), { funcs: DOCKER_HEADER_FUNCS })
  } catch (err) {
    if (!(err instanceof TemplateExecError)) throw err
    header = err.partial
  }
  return tabwrite(`${header}\n${out.join('')}`)
}

/** A row as Docker's formatter context: every field a niladic method, `.Label "k"` where rows have labels, `{{json .}}` every field with sorted keys. */
function rowContext(listing: Listing, row: ListingRow, index: number): unknown {
  const { GoObject } = goTemplateEngine()
  const fields = Object.keys(row)
  const methods: Record<string, GoFunc> = {}
  for (const f of fields) methods[f] = { params: [], fn: () => fieldText(row, f) }
  const labels = row[LABELS]
  if (labels) methods.Label = { params: ['string'], fn: (name) => (Object.hasOwn(labels, name as string) ? labels[name as string] : '') }
  const type = typeof listing.type === 'function' ? listing.type(index) : listing.type
  const json = () => Object.fromEntries([...fields].sort().map((f) => [f, fieldText(row, f)]))
  return new GoObject(type, 'struct', {}, methods, { json })
}

/** Docker's SubHeaderContext: field name to header, and `.Label "com.example.app-name"` is `app name`. */
function headerContext(listing: Listing): unknown {
  const { GoObject } = goTemplateEngine()
  const label: GoFunc = { params: ['string'], fn: (name) => (name as string).split('.').pop()!.replace(/[-_]/g, ' ') }
  return new GoObject('formatter.SubHeaderContext', 'map', { ...listing.headers }, { Label: label })
}
