import { InvalidArgumentError } from '../errors'

type TomlModule = typeof import('smol-toml')
let toml: TomlModule | undefined

/**
 * Parse a TOML file's text into plain objects. The parser loads on first
 * use: most commands read no TOML at all (a config file usually does not
 * exist), so start-up never pays for it. A syntax error is one line naming
 * the file, line and column, as a person fixing the file needs.
 */
export function parseToml(text: string, file: string): Record<string, unknown> {
  toml ??= require('smol-toml') as TomlModule
  try {
    return toml.parse(text) as Record<string, unknown>
  } catch (err) {
    const e = err as Error & { line?: number; column?: number }
    // smol-toml's message is "Invalid TOML document: WHY" followed by an excerpt of the file.
    const why = e.message.split('\n')[0].replace(/^Invalid TOML document:\s*/i, '')
    const at = e.line ? ` at line ${e.line}${e.column ? `, column ${e.column}` : ''}` : ''
    throw new InvalidArgumentError(`${file} is not valid TOML${at}: ${why}; fix or remove it`)
  }
}
