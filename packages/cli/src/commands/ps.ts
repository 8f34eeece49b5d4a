import { Flags } from '@oclif/core'
import { directorySize, humanDuration, humanSize, shortId, type ContainerView, type Engine } from '@tsrun/core'
import { EngineCommand } from '../engine-command'
import { ellipsis, goTimeString, quoteCommand } from '../render/docker-text'
import { CONTAINERS } from '../render/listings'
import { LABELS, printListing, type ListingRow } from '../render/output'

export default class Ps extends EngineCommand {
  static override summary = 'List containers'
  static override aliases = ['container:ls', 'container:list', 'container:ps']
  static override examples = ['<%= config.bin %> ps', '<%= config.bin %> ps -a', '<%= config.bin %> ps -aq', '<%= config.bin %> ps -a --format json']
  static override flags = {
    all: Flags.boolean({ char: 'a', description: 'show all containers (default shows just running)' }),
    quiet: Flags.boolean({ char: 'q', description: 'only display container ids' }),
    'no-trunc': Flags.boolean({ description: "don't truncate output" }),
    format: Flags.string({ description: "table (default), json (one object per line), a Go template like {{.Names}}, or 'table {{.ID}}\\t{{.Names}}'" }),
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(Ps)
    const engine = await this.openEngine(flags)
    const views = await engine.containers.list(flags.all)
    if (flags.quiet) {
      for (const v of views) this.log(flags['no-trunc'] ? v.record.id : shortId(v.record.id))
      return
    }
    printListing(flags.format, CONTAINERS, views.map((v) => row(engine, v, !flags['no-trunc'])))
  }
}

/** docker/cli's ContainerContext fields; the costly ones computed only when printed. */
function row(engine: Engine, v: ContainerView, trunc: boolean): ListingRow {
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
    State: v.state.paused ? 'paused' : v.state.restarting ? 'restarting' : v.state.status,
    Ports: '',
    Names: r.name,
    Labels: () => Object.keys(labels).map((k) => `${k}=${labels[k]}`).sort().join(','),
    Mounts: () => mounts.map((m) => (trunc ? ellipsis(m.Name || m.Source, 15) : m.Name || m.Source)).join(','),
    LocalVolumes: () => String(mounts.filter((m) => m.Driver === 'local').length),
    Networks: r.hostConfig.NetworkMode,
    Size: () => humanSize(directorySize(engine.containers.store.dir(r.id))),
    [LABELS]: labels,
  }
}

function status(v: ContainerView): string {
  const s = v.state
  if (s.status === 'running') return `Up ${humanDuration(Date.now() - Date.parse(s.startedAt ?? v.record.created))}${s.paused ? ' (Paused)' : ''}`
  if (s.status === 'exited') return `Exited (${s.exitCode ?? 0}) ${humanDuration(Date.now() - Date.parse(s.finishedAt ?? v.record.created))} ago`
  return 'Created'
}
