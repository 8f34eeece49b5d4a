import { Flags } from '@oclif/core'
import { InvalidArgumentError, parseTimeArg, type EngineEvent, type EventFilter } from '@tsrun/core'
import { EngineCommand } from '../engine-command'
import { eventFormatter } from '../render/event-format'

export default class Events extends EngineCommand {
  static override summary = 'Stream container events as they happen'
  static override description =
    'Events come from <root>/events.log: create, start, kill, stop, die, oom, restart, pause, unpause, rename, destroy. Without --since only new events are shown; without --until it keeps streaming until interrupted.'
  static override examples = [
    '<%= config.bin %> events',
    '<%= config.bin %> events --since 10m --until 0s --filter event=die --format json',
    '<%= config.bin %> events --filter container=web --filter event=start --filter event=die',
  ]
  static override flags = {
    since: Flags.string({ description: 'show events since this time: RFC 3339, unix seconds, or a duration like 10m' }),
    until: Flags.string({ description: 'stop at this time: RFC 3339, unix seconds, or a duration like 10m (0s: now)' }),
    filter: Flags.string({ char: 'f', multiple: true, multipleNonGreedy: true, description: 'type=container, event=die, container=NAME (repeatable)' }),
    format: Flags.string({ description: "'json' for one JSON object per line, or a Go template like {{.Action}}" }),
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(Events)
    const filter = parseFilters(flags.filter ?? [])
    const sinceNano = flags.since === undefined ? Date.now() * 1e6 : parseTimeArg(flags.since, '--since')
    const untilNano = flags.until === undefined ? undefined : parseTimeArg(flags.until, '--until')
    const formatted = flags.format ? eventFormatter(flags.format) : undefined
    const engine = await this.openEngine(flags)
    // The monitor writes the name it was started with: show the current one.
    const names = new Map(engine.containers.store.list().map((r) => [r.id, r]))
    const render = (e: EngineEvent): string => {
      const rec = names.get(e.Actor.ID)
      if (rec) e.Actor.Attributes = { ...e.Actor.Attributes, name: rec.name, image: rec.image }
      if (formatted) return formatted(e)
      const attrs = Object.entries(e.Actor.Attributes).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`).join(', ')
      return `${nanoToRfc3339(e.timeNano)} ${e.Type} ${e.Action} ${e.Actor.ID} (${attrs})`
    }
    let open = true
    process.once('SIGINT', () => (open = false))
    await engine.containers.events.read({ sinceNano, untilNano, follow: true, filter, keepGoing: () => open }, (e) => this.log(render(e)))
  }
}

function parseFilters(values: string[]): EventFilter {
  const f: EventFilter = {}
  for (const v of values) {
    const eq = v.indexOf('=')
    const key = v.slice(0, eq)
    const value = v.slice(eq + 1)
    if (eq <= 0 || !value || !['type', 'event', 'container'].includes(key)) {
      throw new InvalidArgumentError(`invalid --filter "${v}": use type=container, event=NAME or container=NAME`)
    }
    ;(f[key as keyof EventFilter] ??= []).push(value)
  }
  return f
}

/** Docker's text timestamp: RFC 3339 with all nine digits of the nanoseconds. */
function nanoToRfc3339(nano: bigint): string {
  const seconds = nano / 1_000_000_000n
  const frac = String(nano % 1_000_000_000n).padStart(9, '0')
  return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19)}.${frac}Z`
}
