import { Args, Flags } from '@oclif/core'
import { parseTimeArg, readLog } from '@tsrun/core'
import { EngineCommand } from '../engine-command'

export default class Logs extends EngineCommand {
  static override summary = "Fetch a container's output"
  static override examples = ['<%= config.bin %> logs web', '<%= config.bin %> logs -f --tail 5 web', '<%= config.bin %> logs --since 10m --until 2026-11-28T04:00:00Z -t web']
  static override args = { container: Args.string({ required: true, description: 'container name or id' }) }
  static override flags = {
    follow: Flags.boolean({ char: 'f', description: 'keep printing new output until the container stops' }),
    tail: Flags.string({ char: 'n', description: 'number of lines to show from the end, or "all"', default: 'all' }),
    timestamps: Flags.boolean({ char: 't', description: 'show timestamps' }),
    since: Flags.string({ description: 'only output since this time: RFC 3339, unix seconds, or a duration like 10m' }),
    until: Flags.string({ description: 'only output before this time: RFC 3339, unix seconds, or a duration like 10m' }),
  }

  async run(): Promise<void> {
    const { flags, args } = await this.parse(Logs)
    const engine = await this.openEngine(flags)
    const rec = engine.containers.store.get(args.container)
    const tail = flags.tail === 'all' ? undefined : Number(flags.tail)
    if (tail !== undefined && (!Number.isInteger(tail) || tail < 0)) this.error(`invalid --tail value "${flags.tail}": give a whole number or "all"`, { exit: 125 })
    await readLog(
      engine.containers.logPath(rec),
      {
        tail,
        follow: flags.follow,
        sinceNano: flags.since === undefined ? undefined : parseTimeArg(flags.since, '--since'),
        untilNano: flags.until === undefined ? undefined : parseTimeArg(flags.until, '--until'),
      },
      async () => (await engine.containers.state(rec)).status === 'running',
      (e) => (e.stream === 'stderr' ? process.stderr : process.stdout).write(flags.timestamps ? `${e.time} ${e.log}` : e.log),
    )
  }
}
