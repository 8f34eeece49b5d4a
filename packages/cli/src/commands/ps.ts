import { Flags } from '@oclif/core'
import { containerStateWord, FilterArgs, filterContainers, humanDuration, humanSize, shortId, type ContainerView, type Engine } from '@tsrun/core'
import { EngineCommand } from '../engine-command'
import { ellipsis, goTimeString, quoteCommand } from '../render/docker-text'
import { CONTAINERS } from '../render/listings'
import { LABELS, printListing, type ListingRow } from '../render/output'

export default class Ps extends EngineCommand {
  static override summary = 'List containers'
  static override description =
    'Filters as Docker\'s: status, name (a regular expression), id (a prefix), label, ancestor, exited, before, since, volume, network, health, is-task, isolation, publish, expose. Values of one key are alternatives, every label= must hold, different keys must all hold. status=, -n and -l show stopped containers without -a.'
  static override examples = [
    '<%= config.bin %> ps',
    '<%= config.bin %> ps -a',
    '<%= config.bin %> ps -aq',
    '<%= config.bin %> ps -a --format json',
    '<%= config.bin %> ps --filter status=exited --filter label=app=web',
    '<%= config.bin %> ps -n 3 -s',
  ]
  static override flags = {
    all: Flags.boolean({ char: 'a', description: 'show all containers (default shows just running)' }),
    filter: Flags.string({ char: 'f', multiple: true, multipleNonGreedy: true, description: 'KEY=VALUE, e.g. status=exited, name=web, label=app=web, ancestor=demo:1 (repeatable)' }),
    quiet: Flags.boolean({ char: 'q', description: 'only display container ids' }),
    size: Flags.boolean({ char: 's', description: 'display total file sizes (the writable layer, and with the image: virtual)' }),
    last: Flags.integer({ char: 'n', default: -1, description: 'show the n last created containers (includes all states)' }),
    latest: Flags.boolean({ char: 'l', description: 'show the latest created container (includes all states)' }),
    'no-trunc': Flags.boolean({ description: "don't truncate output" }),
    format: Flags.string({ description: "table (default), json (one object per line), a Go template like {{.Names}}, or 'table {{.ID}}\\t{{.Names}}'" }),
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(Ps)
    const filters = FilterArgs.parse(flags.filter)
    const engine = await this.openEngine(flags)
    // As docker/cli: -l is -n 1 unless -n was given.
    const limit = flags.latest && flags.last === -1 ? 1 : flags.last
    const views = filterContainers(await engine.containers.list(true), { all: flags.all, limit, filters }, {
      container: (ref) => engine.containers.store.get(ref),
      imageId: (ref) => {
        try {
          engine.images.list()
          return engine.images.store.resolve(ref).id
        } catch {
          // Docker only logs an ancestor it cannot find, and matches nothing by it.
          return undefined
        }
      },
    })
    if (flags.quiet) {
      if (flags.format) process.stderr.write('WARNING: Ignoring custom format, because both --format and --quiet are set.\n')
      for (const v of views) this.log(flags['no-trunc'] ? v.record.id : shortId(v.record.id))
      return
    }
    const format = flags.format
    // Sizes cost a walk of each container's files: only when shown (-s, or a format that reads .Size, as docker/cli decides).
    const sized = flags.size || (format !== undefined && format !== 'table' && /Size|json/.test(format))
    const rows: ListingRow[] = []
    for (const v of views) rows.push(row(v, !flags['no-trunc'], sized ? await sizeText(engine, v) : ''))
    const listing = flags.size && (!format || format === 'table') ? { ...CONTAINERS, columns: [...CONTAINERS.columns, 'Size'] } : CONTAINERS
    printListing(format, listing, rows)
  }
}

/** docker/cli's ContainerContext fields; the costly ones computed only when printed. */
function row(v: ContainerView, trunc: boolean, size: string): ListingRow {
  const r = v.record
  const command = [r.path, ...r.args].join(' ')
  const labels = r.config.Labels ?? {}
  const mounts = r.mounts ?? []
  return {
    ID: trunc ? shortId(r.id) : r.id,
    Image: r.image,
    Command: quoteCommand(trunc ? ellipsis(command, 20) : command),
    CreatedAt: () => goTimeString(r.created),
    RunningFor: () => `${humanDuration(Date.now() - Date.parse(r.created))} ago`,
    Status: status(v),
    State: containerStateWord(v),
    Ports: '',
    Names: r.name,
    Labels: () => Object.keys(labels).map((k) => `${k}=${labels[k]}`).sort().join(','),
    Mounts: () => mounts.map((m) => (trunc ? ellipsis(m.Name || m.Source, 15) : m.Name || m.Source)).join(','),
    LocalVolumes: () => String(mounts.filter((m) => m.Driver === 'local').length),
    Networks: r.hostConfig.NetworkMode,
    Size: size,
    [LABELS]: labels,
  }
}

/** Docker's SIZE cell: the writable layer, and `(virtual N)` with the image under it. */
async function sizeText(engine: Engine, v: ContainerView): Promise<string> {
  const { rw, rootFs } = await engine.containers.sizes(v.record)
  return rootFs > 0 ? `${humanSize(rw)} (virtual ${humanSize(rootFs)})` : humanSize(rw)
}

function status(v: ContainerView): string {
  const s = v.state
  if (s.status === 'running') return `Up ${humanDuration(Date.now() - Date.parse(s.startedAt ?? v.record.created))}${s.paused ? ' (Paused)' : ''}`
  if (s.status === 'exited') return `Exited (${s.exitCode ?? 0}) ${humanDuration(Date.now() - Date.parse(s.finishedAt ?? v.record.created))} ago`
  return 'Created'
}
