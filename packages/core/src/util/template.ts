import { InvalidArgumentError } from '../errors'

/**
 * The slice of Go templates people pass to `--format`: `{{.State.Status}}`,
 * `{{json .Config}}`, `{{.Name}}`, literal text around them, and
 * `{{join .Args " "}}`. Enough for scripts; anything else is a clear error.
 */
export function renderTemplate(template: string, value: unknown): string {
  return template.replace(/\{\{\s*(.*?)\s*\}\}/g, (_m, expr: string) => evaluate(expr, value, template))
}

function evaluate(expr: string, value: unknown, template: string): string {
  const json = /^json\s+(\S+)$/.exec(expr)
  if (json) return JSON.stringify(lookup(json[1], value, template))
  const join = /^join\s+(\S+)\s+"(.*)"$/.exec(expr)
  if (join) {
    const list = lookup(join[1], value, template)
    return Array.isArray(list) ? list.join(join[2]) : String(list ?? '')
  }
  const v = lookup(expr, value, template)
  if (v === null || v === undefined) return '<no value>'
  if (typeof v === 'object') return Array.isArray(v) ? `[${v.join(' ')}]` : JSON.stringify(v)
  return String(v)
}

function lookup(path: string, value: unknown, template: string): unknown {
  if (path === '.') return value
  if (!path.startsWith('.')) throw new InvalidArgumentError(`template: ${template}: "${path}" is not a field path like .State.Status`)
  let cur: unknown = value
  for (const key of path.slice(1).split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined
    cur = (cur as Record<string, unknown>)[key]
  }
  return cur
}
