import { inspectRenderer } from './inspect-format'

/**
 * `--format` of a command that prints one object (`version`, `info`), as
 * docker/cli does: `json` is the object as compact JSON on one line,
 * anything else a Go template run on it (typed first, then on the raw JSON,
 * as `inspect`: inspect-format.ts). Answers undefined without a format,
 * when the command prints its own text. A template that fails throws after
 * nothing was printed.
 */
export function formatObject(format: string | undefined, obj: unknown): string | undefined {
  if (!format) return undefined
  if (format === 'json') return `${JSON.stringify(obj)}\n`
  const { text, error } = inspectRenderer(format)([obj])
  if (error) throw error
  return text
}
