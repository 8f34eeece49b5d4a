import { goTemplateEngine, InvalidArgumentError, TemplateExecError, TemplateSyntaxError } from '@tsrun/core'

/**
 * `--format` of a command that prints one object (`version`, `info`), as
 * docker/cli does: `json` is the object as compact JSON on one line,
 * anything else a Go template run on it as on Docker's struct (an unknown
 * field is `can't evaluate field X in type T`; there is no retry on the raw
 * JSON as `inspect` has), with the fields at `maps` as maps. Answers
 * undefined without a format, when the command prints its own text.
 */
export function formatObject(format: string | undefined, obj: unknown, typeName: string, maps: string[] = []): string | undefined {
  if (!format) return undefined
  if (format === 'json') return `${JSON.stringify(obj)}\n`
  const { compileGoTemplate, GoObject } = goTemplateEngine()
  const typed = (v: unknown, at: string, name: string): unknown => {
    if (Array.isArray(v)) return v.map((e) => typed(e, at, 'struct'))
    if (v === null || typeof v !== 'object') return v
    const entries = Object.entries(v as Record<string, unknown>)
    if (maps.includes(at)) return Object.fromEntries(entries.map(([k, e]) => [k, typed(e, `${at}.*`, 'struct')]))
    return new GoObject(name, 'struct', Object.fromEntries(entries.map(([k, e]) => [k, typed(e, at ? `${at}.${k}` : k, 'struct')])))
  }
  try {
    return `${compileGoTemplate(format).execute(typed(obj, '', typeName))}\n`
  } catch (err) {
    if (err instanceof TemplateSyntaxError || err instanceof TemplateExecError) throw new InvalidArgumentError(`template parsing error: ${err.message}`)
    throw err
  }
}
