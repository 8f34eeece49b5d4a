import { LOG_LEVELS } from '../log-level'
import { GLOBAL_BOOLEAN_FLAGS, GLOBAL_VALUE_FLAGS } from '../parsing/prepare-argv'

/** A container as completion needs it: its name and whether it runs or is paused. */
export interface ContainerName {
  name: string
  running: boolean
  paused: boolean
}

/**
 * Where completion finds the names of things that exist now. The CLI
 * answers from the store (`tsrun __complete`); a unit test can answer
 * from a list.
 */
export interface NameSource {
  containers(): Promise<ContainerName[]>
  /** Familiar `repo:tag` of every tagged image. */
  images(): Promise<string[]>
  volumes(): Promise<string[]>
  networks(): Promise<string[]>
}

/** One candidate: the word, and a summary shells that show one may print. */
export interface Candidate {
  value: string
  description?: string
}

/** A flag as oclif's manifest keeps it. */
export interface FlagDef {
  type: 'boolean' | 'option'
  char?: string
  aliases?: string[]
  options?: readonly string[]
  hidden?: boolean
  summary?: string
  description?: string
}

/** A command as oclif's manifest keeps it (global flags merged in): no module is loaded to complete. */
export interface CommandInfo {
  summary?: string
  hidden?: boolean
  flags: Record<string, FlagDef>
  args: Record<string, unknown>
  strict?: boolean
}

/** Every command by id (`volume:ls`). */
export type Catalog = Record<string, CommandInfo>
type Kind = 'containers' | 'images' | 'volumes' | 'networks' | 'objects' | 'cp'

/** What a command's arguments name, by the argument's name in the command class. */
const ARG_KINDS: Record<string, Kind> = { container: 'containers', image: 'images', source: 'images', object: 'objects', volume: 'volumes', network: 'networks', src: 'cp', dest: 'cp' }
/** Commands whose `name` argument is an existing volume (`volume create NAME` is a new one). */
const VOLUME_NAME_COMMANDS = new Set(['volume:inspect', 'volume:rm'])
/** The containers worth offering: Docker's completion offers running ones to `stop`, stopped ones to `start`. */
const STATE_FILTERS: Record<string, (c: ContainerName) => boolean> = {
  stop: (c) => c.running,
  kill: (c) => c.running,
  pause: (c) => c.running && !c.paused,
  unpause: (c) => c.paused,
  start: (c) => !c.running,
  exec: (c) => c.running && !c.paused,
  attach: (c) => c.running,
  top: (c) => c.running,
  stats: (c) => c.running,
  update: () => true,
}
/** Flags whose value is a container, or one of a few fixed words. */
const FLAG_VALUES: Record<string, Kind | readonly string[]> = { 'volumes-from': 'containers', network: 'networks' }
/** After the image (run, create) or the container (exec) come the container's command and its arguments. */
const COMMAND_AFTER_FIRST = new Set(['run', 'create', 'exec'])

/**
 * The completions of the last word of `words` (the words typed after
 * `tsrun`, the last one partial, possibly empty): command and topic words,
 * a command's flags (when the word starts with `-`), the values of a flag
 * that takes fixed ones (`--pull`, `--log-level`, `--network`), and the
 * names of what exists now where an argument or flag names a container,
 * an image or a volume. Every candidate starts with the partial word. An
 * empty answer leaves the shell to complete file names.
 */
export async function complete(words: string[], commands: Catalog, names: NameSource): Promise<Candidate[]> {
  const cur = words.length ? words[words.length - 1] : ''
  const before = words.slice(0, -1)
  let i = 0
  while (i < before.length && before[i].startsWith('-')) i += valueFollows(before[i], GLOBAL_VALUE_FLAGS) ? 2 : 1
  // The value of a global flag: a level from the list, a directory from the shell.
  if (i > before.length) return GLOBAL_VALUE_FLAGS[before[before.length - 1]] === '--log-level' ? LOG_LEVELS.map((value) => ({ value })).filter((c) => c.value.startsWith(cur)) : []
  const rest = before.slice(i)
  const starts = (c: Candidate) => c.value.startsWith(cur)
  if (!rest.length || (rest[0] === 'help' && rest.length === 1)) {
    if (cur.startsWith('-') && !rest.length) return globalFlags().filter(starts)
    return topWords(commands).filter(starts)
  }
  const words0 = rest[0] === 'help' ? rest.slice(1) : rest
  if (isTopic(words0[0], commands) && words0.length === 1) return subcommands(words0[0], commands).filter(starts)
  if (rest[0] === 'help') return []
  const idWords = words0.length > 1 && `${words0[0]}:${words0[1]}` in commands ? 2 : 1
  const id = words0.slice(0, idWords).join(':')
  const cmd = commands[id]
  if (!cmd) return []
  const flags = cmd.flags
  const { positionals, pending } = walk(words0.slice(idWords), flags)
  if (COMMAND_AFTER_FIRST.has(id) && positionals.length >= 1) return []
  if (pending) return (await flagValues(pending.name, pending.flag, names)).filter(starts)
  if (cur.startsWith('--') && cur.includes('=')) {
    const name = cur.slice(2, cur.indexOf('='))
    const f = flags[name]
    if (!f || f.type !== 'option') return []
    return (await flagValues(name, f, names)).map((c) => ({ value: `--${name}=${c.value}` })).filter(starts)
  }
  if (cur.startsWith('-')) return flagNames(flags).filter(starts)
  const argNames = Object.keys(cmd.args ?? {})
  const index = positionals.length
  const argName = index < argNames.length ? argNames[index] : cmd.strict === false ? argNames[argNames.length - 1] : undefined
  if (!argName) return []
  const kind = argName === 'name' ? (VOLUME_NAME_COMMANDS.has(id) ? 'volumes' : undefined) : ARG_KINDS[argName]
  if (!kind) return []
  if (kind === 'cp') return cur.startsWith('.') || cur.startsWith('/') ? [] : (await containerNames(names, () => true)).map((n) => ({ value: `${n}:` })).filter(starts)
  return (await kindNames(kind, names, STATE_FILTERS[id])).map((value) => ({ value })).filter(starts)
}

/** Walk a command's words: the positionals so far, and a flag still waiting for its value (the word being completed). */
function walk(tokens: string[], flags: Record<string, FlagDef>): { positionals: string[]; pending?: { name: string; flag: FlagDef } } {
  const byLong = new Map<string, string>()
  const byChar = new Map<string, string>()
  for (const [name, f] of Object.entries(flags)) {
    byLong.set(name, name)
    for (const a of f.aliases ?? []) byLong.set(a, name)
    if (f.char) byChar.set(f.char, name)
  }
  const positionals: string[] = []
  let pending: { name: string; flag: FlagDef } | undefined
  for (const tok of tokens) {
    if (pending) {
      pending = undefined
      continue
    }
    if (tok.startsWith('--') && tok.length > 2) {
      const name = byLong.get(tok.slice(2))
      if (name && flags[name].type === 'option') pending = { name, flag: flags[name] }
      continue
    }
    if (tok.startsWith('-') && tok.length > 1) {
      const name = byChar.get(tok[tok.length - 1])
      if (name && flags[name].type === 'option' && [...tok.slice(1, -1)].every((c) => flags[byChar.get(c) ?? '']?.type === 'boolean')) pending = { name, flag: flags[name] }
      continue
    }
    positionals.push(tok)
  }
  return { positionals, pending }
}

async function flagValues(name: string, flag: FlagDef, names: NameSource): Promise<Candidate[]> {
  const known = FLAG_VALUES[name]
  if (Array.isArray(known)) return known.map((value) => ({ value }))
  if (typeof known === 'string') return (await kindNames(known as Kind, names)).map((value) => ({ value }))
  return (flag.options ?? []).map((value) => ({ value }))
}

async function kindNames(kind: Kind, names: NameSource, keep: (c: ContainerName) => boolean = () => true): Promise<string[]> {
  if (kind === 'containers') return containerNames(names, keep)
  if (kind === 'images') return names.images()
  if (kind === 'volumes') return names.volumes()
  if (kind === 'networks') return names.networks()
  return [...(await containerNames(names, keep)), ...(await names.images())]
}

async function containerNames(names: NameSource, keep: (c: ContainerName) => boolean): Promise<string[]> {
  return (await names.containers()).filter(keep).map((c) => c.name)
}

function flagNames(flags: Record<string, FlagDef>): Candidate[] {
  const out: Candidate[] = []
  for (const [name, f] of Object.entries(flags)) {
    if (f.hidden) continue
    const description = f.summary ?? f.description
    out.push({ value: `--${name}`, description })
    if (f.char) out.push({ value: `-${f.char}`, description })
  }
  out.push({ value: '--help', description: 'show help' })
  return out.sort((a, b) => (a.value < b.value ? -1 : 1))
}

function globalFlags(): Candidate[] {
  const all = [...Object.keys(GLOBAL_VALUE_FLAGS), ...Object.keys(GLOBAL_BOOLEAN_FLAGS), '--help', '--version']
  return all.map((value) => ({ value }))
}

function topWords(commands: Catalog): Candidate[] {
  const seen = new Map<string, string | undefined>()
  for (const id of Object.keys(commands)) {
    if (commands[id].hidden) continue
    const word = id.split(':')[0]
    if (!seen.has(word)) seen.set(word, id.includes(':') ? undefined : commands[id].summary)
  }
  seen.set('help', 'show the help of a command')
  return [...seen].sort(([a], [b]) => (a < b ? -1 : 1)).map(([value, description]) => ({ value, description }))
}

function subcommands(topic: string, commands: Catalog): Candidate[] {
  return Object.keys(commands)
    .filter((id) => id.startsWith(`${topic}:`) && id.split(':').length === 2 && !commands[id].hidden)
    .map((id) => ({ value: id.split(':')[1], description: commands[id].summary }))
    .sort((a, b) => (a.value < b.value ? -1 : 1))
}

function isTopic(word: string | undefined, commands: Catalog): boolean {
  return !!word && Object.keys(commands).some((k) => k.startsWith(`${word}:`))
}

function valueFollows(tok: string, valueFlags: Record<string, string>): boolean {
  return !tok.includes('=') && tok in valueFlags
}
