/**
 * Go templates for `--format`, and Docker's table layout. The engine
 * (go-template/: lexer, parser, executor, Go's fmt) loads on the first call
 * of goTemplateEngine(), so a command that prints no template never pays for
 * loading it; only its error classes and the tabwriter, which default tables
 * use, load with core.
 */
import type * as Engine from './go-template'

export type { GoFunc, GoParamType, GoTemplate, MissingKey } from './go-template'
export { TemplateExecError, TemplateSyntaxError } from './go-template/errors'
export { DOCKER_TABLE, displayWidth, tabwrite, type TabwriterOptions } from './go-template/tabwriter'

let engine: typeof Engine | undefined

/** The template engine module, loaded on first use. */
export function goTemplateEngine(): typeof Engine {
  return (engine ??= require('./go-template') as typeof Engine)
}

/**
 * Parse a Go template with Docker's functions (json, join, split, lower,
 * upper, title, pad, truncate) besides Go's builtins. Throws
 * TemplateSyntaxError with Go's message (`template: :1: unclosed action`).
 */
export function compileGoTemplate(text: string): Engine.GoTemplate {
  return goTemplateEngine().compileGoTemplate(text)
}
