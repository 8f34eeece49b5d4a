import { renderTemplate } from '@tsrun/core'
import { renderTable } from './table'

/**
 * The three ways a listing is printed: a table (default), `--format json`
 * (one JSON object per line, as Docker does), or a Go-style template.
 */
export function printListing(format: string | undefined, headers: string[], rows: Array<Record<string, string>>, keys: string[]): void {
  if (format === 'json') {
    for (const row of rows) process.stdout.write(JSON.stringify(row) + '\n')
  } else if (format && format !== 'table') {
    for (const row of rows) process.stdout.write(renderTemplate(format, row) + '\n')
  } else {
    process.stdout.write(renderTable(headers, rows.map((r) => keys.map((k) => r[k] ?? ''))))
  }
}
