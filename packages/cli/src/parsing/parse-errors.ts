import { InvalidArgumentError } from '@tsrun/core'
import { nearest } from './suggest'
import { argWord } from './usage'

/** What a parse error's message may name: the command and its flags. */
export interface ParseContext {
  /** `tsrun run`, as the user typed it. */
  command: string
  /** The usage line after the command words (`[OPTIONS] IMAGE [COMMAND] [ARG...]`). */
  usage: string
  /** Flag names and aliases the command takes, without dashes. */
  flagNames: string[]
}

/**
 * A usage error, worded as Docker's CLI words it, with tsrun's name. The
 * message is one line; `usage`, when set, is the usage line Docker prints
 * after a wrong number of arguments.
 */
export class UsageError extends InvalidArgumentError {
  constructor(message: string, readonly usage?: string) {
    super(message)
  }
}

/**
 * Turn one of oclif's parse errors into a UsageError in Docker's words, or
 * answer undefined for any other error. oclif's texts ("Missing 1 required
 * arg:" followed by lines of detail, "Nonexistent flag: --nme") are matched
 * by their first words: its error classes are not exported.
 *
 * - a missing argument: `"tsrun run" requires at least 1 argument; missing: IMAGE`
 *   and the usage line (Docker: `"docker run" requires at least 1 argument.`)
 * - an unknown flag: `unknown flag: --nme; did you mean --name? See 'tsrun
 *   run --help'.` (pflag: `unknown flag: --nme`, `unknown shorthand flag:
 *   'x' in -x`)
 * - too many arguments: `"tsrun ps" accepts no arguments` (Docker's text),
 *   or `accepts at most N arguments`
 * - a flag without its value: `flag needs an argument: --name` (pflag's)
 */
export function translateParseError(err: Error & { args?: unknown[]; flags?: string[] }, ctx: ParseContext): UsageError | undefined {
  const message = err.message ?? ''
  const help = `See '${ctx.command} --help'.`
  if (message.startsWith('Missing ') && Array.isArray(err.args)) {
    const missing = (err.args as { name: string }[]).map((a) => argWord(a.name))
    const required = countRequired(ctx.usage)
    const bound = /\[(?!OPTIONS\])/.test(ctx.usage) ? 'at least' : 'exactly'
    return new UsageError(`"${ctx.command}" requires ${bound} ${required} argument${required === 1 ? '' : 's'}; missing: ${missing.join(' ')}`, `Usage: ${ctx.command} ${ctx.usage}`)
  }
  if (message.startsWith('Nonexistent flag') && Array.isArray(err.flags) && err.flags.length) {
    const flag = err.flags[0]
    if (!flag.startsWith('--') && flag.length > 1) return new UsageError(`unknown shorthand flag: '${flag[1]}' in ${flag}. ${help}`)
    const name = flag.replace(/^--/, '').split('=')[0]
    const guess = nearest(name, ctx.flagNames)
    return new UsageError(`unknown flag: --${name}${guess ? `; did you mean --${guess}?` : '.'} ${help}`)
  }
  if (message.startsWith('Unexpected argument') && Array.isArray(err.args)) {
    const allowed = countAll(ctx.usage)
    const text = allowed === 0 ? 'accepts no arguments' : `accepts at most ${allowed} argument${allowed === 1 ? '' : 's'}`
    return new UsageError(`"${ctx.command}" ${text}; unexpected ${(err.args as string[]).map((a) => JSON.stringify(String(a))).join(' ')}`, `Usage: ${ctx.command} ${ctx.usage}`)
  }
  const needsValue = /^Flag --([\w-]+) expects a value/.exec(message)
  if (needsValue) return new UsageError(`flag needs an argument: --${needsValue[1]}. ${help}`)
  const oneOf = /^Expected --([\w-]+)=(.*) to be one of: (.*)/.exec(message.split('\n')[0])
  if (oneOf) return new UsageError(`invalid argument "${oneOf[2]}" for "--${oneOf[1]}" flag: use one of ${oneOf[3]}`)
  return undefined
}

function countRequired(usage: string): number {
  return usage.split(' ').filter((w) => w !== '[OPTIONS]' && !w.startsWith('[')).length
}

function countAll(usage: string): number {
  return usage.split(' ').filter((w) => w !== '[OPTIONS]' && !w.endsWith('...]')).length
}
