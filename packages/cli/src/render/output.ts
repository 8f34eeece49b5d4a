import { tabwrite } from '@tsrun/core'

/**
 * What a listing command prints, as docker/cli's formatter for it defines:
 * the Go type a row is in Docker's messages, each field's table header
 * (Docker's header names), and the default table's columns.
 */
export interface Listing {
  /** `*formatter.ContainerContext`; per row where the rows are of different kinds (system df). */
  type: string | ((row: number) => string)
  /** Field name to table header: `ID` is `CONTAINER ID`. */
  headers: Record<string, string>
  /** The fields of the default table, in order. */
  columns: string[]
}

/** Key of a row's labels: `.Label "key"` reads them (ps, volume ls). */
export const LABELS: unique symbol = Symbol('labels')

/**
 * One row: each field's text, or a function making it, called only when
 * something prints the field (as docker/cli's rows are methods), so a costly
 * field (a container's size) costs nothing unless asked for.
 */
export type ListingRow = { [field: string]: string | (() => string) } & { [LABELS]?: Record<string, string> }

/** The text of a row's field. */
export function fieldText(row: ListingRow, field: string): string {
  const v = row[field]
  return typeof v === 'function' ? v() : v ?? ''
}

/** How a listing is printed beyond its format. */
export interface ListingOptions {
  /** podman's `--noheading`: a table without its header row. */
  noHeading?: boolean
}

/**
 * Print a listing as Docker does: the default table (no format, or
 * `table`), `json` (one object per line), or a Go template, `table ...`
 * aligned under Docker's headers. A template that does not parse or fails
 * on a row prints nothing and throws one line (exit 125).
 */
export function printListing(format: string | undefined, listing: Listing, rows: ListingRow[], options: ListingOptions = {}): void {
  if (!format || format === 'table') {
    // The default table needs no template engine: the same cells through the same tabwriter.
    const header = options.noHeading ? [] : [listing.columns.map((c) => listing.headers[c])]
    const lines = [...header, ...rows.map((r) => listing.columns.map((c) => fieldText(r, c)))]
    process.stdout.write(tabwrite(lines.map((cells) => cells.join('\t') + '\n').join('')))
    return
  }
  // Loaded only now: the engine is no part of a plain `ps`.
  process.stdout.write(listingFormat().formatListing(format, listing, rows, options))
}

/** Refuse a `--format` that does not parse before doing the work it is for (stats samples for a second first). */
export function checkListingFormat(format: string | undefined): void {
  if (format && format !== 'table') listingFormat().parseListingFormat(format)
}

function listingFormat(): typeof import('./listing-format') {
  return require('./listing-format') as typeof import('./listing-format')
}
