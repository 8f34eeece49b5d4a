import { Args } from '@oclif/core'
import { familiarString, parseReference, type Engine } from '@tsrun/core'
import { EngineCommand } from '../engine-command'
import { complete, type Catalog, type CommandInfo, type NameSource } from '../completion/candidates'
import { SHELLS } from '../completion/scripts'

/**
 * What the scripts of `tsrun completion` call on each TAB: the candidates
 * for the last word of LINE (the command line up to the cursor), one a
 * line; fish also gets each one's summary after a tab. Commands and flags
 * come from oclif's manifest (no command module loads); names from the
 * store of the `--root` on the line, or the usual one. It never prints an
 * error: a shell would show it as a candidate.
 */
export default class Complete extends EngineCommand {
  static override hidden = true
  static override summary = 'Completion candidates for a command line (used by the scripts of tsrun completion)'
  static override args = {
    shell: Args.string({ required: true, options: [...SHELLS], description: 'bash, zsh or fish' }),
    line: Args.string({ required: true, description: 'the command line up to the cursor' }),
  }

  async run(): Promise<void> {
    try {
      const { args } = await this.parse(Complete)
      const words = splitLine(args.line).slice(1)
      const catalog: Catalog = {}
      for (const c of this.config.commands) catalog[c.id] = c as unknown as CommandInfo
      const out = await complete(words, catalog, storeNames(() => this.openEngine({ root: rootOnLine(words) })))
      const text = out.map((c) => (args.shell === 'fish' && c.description ? `${c.value}\t${c.description.split('\n')[0]}` : c.value))
      process.stdout.write(text.length ? `${text.join('\n')}\n` : '')
    } catch (err) {
      // nothing to offer: the shell falls back to file names
      if (process.env.TSRUN_DEBUG_COMPLETION) process.stderr.write(`${(err as Error).stack}\n`)
    }
  }
}

/** Words as the shell split them, near enough: at blanks; a line ending in a blank starts an empty word. */
function splitLine(line: string): string[] {
  const words = line.split(/\s+/)
  if (words[0] === '') words.shift()
  return words.length ? words : ['']
}

/** `--root DIR` or `--root=DIR` anywhere on the line: the store its names come from. */
function rootOnLine(words: string[]): string | undefined {
  for (let i = 0; i < words.length - 1; i++) {
    if (words[i] === '--root' && i + 1 < words.length - 1) return words[i + 1]
    if (words[i].startsWith('--root=')) return words[i].slice('--root='.length)
  }
  return undefined
}

/** Names from the store, the engine opened once and only when a candidate needs one. */
function storeNames(open: () => Promise<Engine>): NameSource {
  let engine: Promise<Engine> | undefined
  const get = () => (engine ??= open())
  return {
    async containers() {
      const views = await (await get()).containers.list(true)
      return views.map((v) => ({ name: v.record.name, running: v.state.status === 'running', paused: Boolean(v.state.paused) }))
    },
    async images() {
      const names = (await get()).images.list().flatMap((img) => img.refs.map((r) => familiarString(parseReference(r))))
      return [...new Set(names)].sort()
    },
    async volumes() {
      return (await get()).volumes.store.list().map((v) => v.name).sort()
    },
    async networks() {
      return (await (await get()).networks.list()).map((n) => n.name)
    },
  }
}
