/**
 * A Go text/template engine: `compileGoTemplate(text)` parses once (a text
 * Go would refuse throws TemplateSyntaxError with Go's message), and
 * `execute(data)` runs it (failures throw TemplateExecError with Go's
 * message). Data follows the value model of go-values.ts. Docker's
 * template functions (json, join, ...) are there unless `funcs` replaces them.
 *
 *   const t = compileGoTemplate('{{range .}}{{.Name | upper}} {{end}}')
 *   t.execute([{ Name: 'web' }, { Name: 'db' }])   // 'WEB DB '
 */
import { BUILTINS } from './builtins'
import { DOCKER_FUNCS } from './docker-funcs'
import { executeTemplate, type MissingKey } from './exec'
import type { GoFunc } from './go-values'
import type { Tree } from './nodes'
import { parseTemplate } from './parser'

export { DOCKER_FUNCS, DOCKER_HEADER_FUNCS } from './docker-funcs'
export { goJSON } from './go-json'
export { goSprint, goSprintf } from './go-fmt'
export { GoFloat, GoObject, type GoFunc, type GoParamType } from './go-values'
export type { MissingKey } from './exec'

/** A parsed template, runnable any number of times. */
export interface GoTemplate {
  /**
   * The output of the template (named `name`, default the top-level one)
   * over `data`. `funcs` replaces the functions it was compiled with (Go's
   * Funcs; the names must have existed at parse time), `missingKey` is Go's
   * missingkey option.
   */
  execute(data: unknown, options?: { funcs?: Record<string, GoFunc>; missingKey?: MissingKey; name?: string }): string
  /** Names of every template the text defines (the top-level one is ''). */
  readonly names: string[]
}

/** Parse `text` as Go's template.New(name).Funcs(funcs).Parse(text) would. */
export function compileGoTemplate(text: string, options: { funcs?: Record<string, GoFunc>; name?: string } = {}): GoTemplate {
  const funcs = options.funcs ?? DOCKER_FUNCS
  const name = options.name ?? ''
  const trees: Map<string, Tree> = parseTemplate(name, text, (f) => Object.hasOwn(funcs, f) || Object.hasOwn(BUILTINS, f))
  return {
    names: [...trees.keys()],
    execute: (data, run = {}) => executeTemplate({ trees, funcs: run.funcs ?? funcs, missingKey: run.missingKey ?? 'default' }, run.name ?? name, data),
  }
}
