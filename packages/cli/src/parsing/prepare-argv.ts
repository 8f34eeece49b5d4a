import type { Command } from '@oclif/core'
import { splitRunArgv } from '../flags/split-argv'

/** The command table as far as argv preparation needs: ids (`volume:ls`) to classes, loaded on access. */
export type CommandTable = Record<string, Command.Class>

/** Global flags that take a value, with the short forms Docker has before the command. */
export const GLOBAL_VALUE_FLAGS: Record<string, string> = { '--root': '--root', '--runroot': '--runroot', '--log-level': '--log-level', '-l': '--log-level' }
/** Global flags without a value. */
export const GLOBAL_BOOLEAN_FLAGS: Record<string, string> = { '--debug': '--debug', '-D': '--debug' }

/** Commands whose arguments end in a command line for the container: flags stop at the image (or container). */
const PASS_THROUGH = new Set(['run', 'create', 'exec'])

/**
 * Rewrite tsrun's argv, before oclif sees it, into the forms oclif takes,
 * so the forms Docker users type work:
 *
 * - global flags before the command (`tsrun --debug ps`, `tsrun --root DIR
 *   run ...`, `-D`, `-l LEVEL`, as Docker's `docker -D ps`) move after the
 *   command words, where every command takes them;
 * - `tsrun help [COMMAND...]` is `COMMAND --help`;
 * - `-h` is `--help` for a command that has no `-h` of its own (`run -h` is
 *   the host name, as in Docker);
 * - after the image of `run`/`create` (the container of `exec`), `--help`
 *   belongs to the container's command, so a `--` is put where it starts;
 * - `--help` on a word that is no command is dropped, so the unknown
 *   command is reported (with a suggestion) instead of oclif's help error.
 *
 * Only command classes that the argv names are loaded, and only when `-h`
 * or `--help` is there.
 */
export function prepareArgv(argv: string[], commands: CommandTable): string[] {
  const globals: string[] = []
  let i = 0
  while (i < argv.length && argv[i].startsWith('-') && !['--help', '-h', '--version', '--'].includes(argv[i])) {
    const [flag, attached] = splitAttached(argv[i])
    if (GLOBAL_BOOLEAN_FLAGS[flag] && attached === undefined) globals.push(GLOBAL_BOOLEAN_FLAGS[flag])
    else if (GLOBAL_VALUE_FLAGS[flag]) {
      globals.push(GLOBAL_VALUE_FLAGS[flag])
      if (attached !== undefined) globals.push(attached)
      else if (i + 1 < argv.length) globals.push(argv[++i])
    } else globals.push(argv[i]) // unknown: the command reports it as its own unknown flag
    i++
  }
  let rest = argv.slice(i)
  if (rest[0] === '-h' || rest[0] === '--help') return ['--help']
  if (rest[0] === '--version') return rest
  if (rest.length === 0) return globals.length ? ['--help'] : []
  if (rest[0] === 'help') {
    const words = rest.slice(1)
    if (!words.length) return ['--help']
    rest = isKnown(words, commands) ? [...words, '--help'] : words
  }
  const idWords = commandWords(rest, commands)
  const id = rest.slice(0, idWords).join(':')
  let tail = [...globals, ...rest.slice(idWords)]
  const asksHelp = tail.some((t) => t === '-h' || t === '--help')
  if (!asksHelp) return [...rest.slice(0, idWords), ...tail]
  const cmd = commands[id]
  if (!cmd) {
    // an unknown command (or a topic: `volume --help` is its help)
    return isTopic(id, commands) ? [...rest.slice(0, idWords), ...tail] : [...rest.slice(0, idWords), ...tail.filter((t) => t !== '--help' && t !== '-h')]
  }
  const flags = { ...cmd.baseFlags, ...cmd.flags } as Record<string, { type: 'boolean' | 'option'; char?: string; aliases?: string[] }>
  let command: string[] = []
  if (PASS_THROUGH.has(id) && !tail.includes('--')) {
    const split = splitRunArgv(tail, flags)
    tail = split.ours
    command = split.command
  }
  const ownH = Object.values(flags).some((f) => f.char === 'h')
  if (!ownH) tail = tail.map((t) => (t === '-h' ? '--help' : t))
  return [...rest.slice(0, idWords), ...tail, ...(command.length ? ['--', ...command] : [])]
}

/** How many leading words name the command: 2 for `volume ls`, 1 for `ps` (or for an unknown word). */
function commandWords(words: string[], commands: CommandTable): number {
  if (words.length > 1 && `${words[0]}:${words[1]}` in commands) return 2
  return 1
}

function isKnown(words: string[], commands: CommandTable): boolean {
  const id = words.slice(0, commandWords(words, commands)).join(':')
  return id in commands || isTopic(id, commands)
}

function isTopic(id: string, commands: CommandTable): boolean {
  return Object.keys(commands).some((k) => k.startsWith(`${id}:`))
}

function splitAttached(tok: string): [string, string | undefined] {
  const eq = tok.indexOf('=')
  return tok.startsWith('--') && eq > 0 ? [tok.slice(0, eq), tok.slice(eq + 1)] : [tok, undefined]
}
