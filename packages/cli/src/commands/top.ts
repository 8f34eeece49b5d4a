import { Args } from '@oclif/core'
import { PROC_COLUMNS, procTable } from '@tsrun/core'
import { EngineCommand } from '../engine-command'
import { splitRunArgv } from '../flags/split-argv'
import { hostPs } from '../render/host-ps'
import { renderTable } from '../render/table'

export default class Top extends EngineCommand {
  static override summary = 'Show the processes of a running container'
  static override description = "Every process in the container's cgroup, with host pids, in the columns of ps -ef. With ps options after the container (-o pid,comm, aux, ...), the host's ps runs with them over the container's processes, as Docker does."
  static override examples = ['<%= config.bin %> top web', '<%= config.bin %> top web -o pid,comm', '<%= config.bin %> top web aux']
  static override aliases = ['container:top']
  static override strict = false
  static override args = { container: Args.string({ required: true, description: 'container name or id' }) }

  async run(): Promise<void> {
    // Everything after the container is ps's, not ours (`-o` included).
    const { ours, command: psArgs } = splitRunArgv(this.argv, Top.baseFlags)
    const { flags, args } = await this.parse({ ...Top, strict: true }, ours)
    const engine = await this.openEngine(flags)
    const pids = await engine.control.processes(engine.containers.store.get(args.container))
    if (psArgs.length) {
      const { titles, rows } = hostPs(psArgs, pids)
      process.stdout.write(renderTable(titles, rows))
      return
    }
    const rows = procTable(pids)
    process.stdout.write(renderTable(PROC_COLUMNS, rows.map((r) => PROC_COLUMNS.map((c) => r[c]))))
  }
}
