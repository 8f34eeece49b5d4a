import { Flags } from '@oclif/core'
import { humanDuration, shortId, type ContainerView } from '@tsrun/core'
import { EngineCommand } from '../engine-command'
import { printListing } from '../render/output'

export default class Ps extends EngineCommand {
  static override summary = 'List containers'
  static override examples = ['<%= config.bin %> ps', '<%= config.bin %> ps -a', '<%= config.bin %> ps -aq', '<%= config.bin %> ps -a --format json']
  static override flags = {
    all: Flags.boolean({ char: 'a', description: 'show all containers (default shows just running)' }),
    quiet: Flags.boolean({ char: 'q', description: 'only display container ids' }),
    'no-trunc': Flags.boolean({ description: "don't truncate output" }),
    format: Flags.string({ description: 'table (default), json (one object per line), or a Go template like {{.Names}}' }),
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(Ps)
    const engine = await this.openEngine(flags)
    const views = await engine.containers.list(flags.all)
    if (flags.quiet) {
      for (const v of views) this.log(flags['no-trunc'] ? v.record.id : shortId(v.record.id))
      return
    }
    const rows = views.map((v) => row(v, flags['no-trunc']))
    printListing(flags.format, ['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES'], rows, ['ID', 'Image', 'Command', 'RunningFor', 'Status', 'Ports', 'Names'])
  }
}

function row(v: ContainerView, noTrunc: boolean): Record<string, string> {
  const r = v.record
  let command = [r.path, ...r.args].join(' ')
  if (!noTrunc && command.length > 20) command = `${command.slice(0, 19)}…`
  return {
    ID: noTrunc ? r.id : shortId(r.id),
    Image: r.image,
    Command: `"${command}"`,
    CreatedAt: r.created,
    RunningFor: `${humanDuration(Date.now() - Date.parse(r.created))} ago`,
    Status: status(v),
    State: v.state.paused ? 'paused' : v.state.status,
    Ports: '',
    Names: r.name,
  }
}

function status(v: ContainerView): string {
  const s = v.state
  if (s.status === 'running') return `Up ${humanDuration(Date.now() - Date.parse(s.startedAt ?? v.record.created))}${s.paused ? ' (Paused)' : ''}`
  if (s.status === 'exited') return `Exited (${s.exitCode ?? 0}) ${humanDuration(Date.now() - Date.parse(s.finishedAt ?? v.record.created))} ago`
  return 'Created'
}
