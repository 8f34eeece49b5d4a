import { Args } from '@oclif/core'
import { PROC_COLUMNS, procTable } from '@tsrun/core'
import { EngineCommand } from '../engine-command'
import { renderTable } from '../render/table'

export default class Top extends EngineCommand {
  static override summary = 'Show the processes of a running container'
  static override description = 'Every process in the container\'s cgroup, with host pids, in the columns of ps -ef.'
  static override examples = ['<%= config.bin %> top web']
  static override args = { container: Args.string({ required: true, description: 'container name or id' }) }

  async run(): Promise<void> {
    const { flags, args } = await this.parse(Top)
    const engine = await this.openEngine(flags)
    const pids = await engine.control.processes(engine.containers.store.get(args.container))
    const rows = procTable(pids)
    process.stdout.write(renderTable(PROC_COLUMNS, rows.map((r) => PROC_COLUMNS.map((c) => r[c]))))
  }
}
