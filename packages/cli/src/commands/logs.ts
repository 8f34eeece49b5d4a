import { once } from 'node:events'
import { Args, Flags } from '@oclif/core'
import { parseTimeArg, readContainerLog, type LogEntry, type LogSink } from '@tsrun/core'
import { EngineCommand } from '../engine-command'

export default class Logs extends EngineCommand {
  static override summary = "Fetch a container's output"
  static override aliases = ['container:logs']
  static override description = 'Reads the json-file or k8s-file log (rotated files too) in constant memory whatever its size, or the journal for --log-driver journald; --tail N reads back from the end. A container with --log-driver none has no log to read.'
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
    await readContainerLog(
      rec,
      engine.containers.logPath(rec),
      {
        tail,
        follow: flags.follow,
        sinceNano: flags.since === undefined ? undefined : parseTimeArg(flags.since, '--since'),
        untilNano: flags.until === undefined ? undefined : parseTimeArg(flags.until, '--until'),
      },
      async () => (await engine.containers.state(rec)).status === 'running',
      new BatchedOutput(flags.timestamps),
    )
  }
}

/**
 * Entries to stdout/stderr, gathered into writes of up to 64 KiB per
 * stream (order kept across the two) and waiting for a slow reader to
 * drain, so a huge log is neither one write per line nor buffered whole.
 */
class BatchedOutput implements LogSink {
  private text = ''
  private stream: NodeJS.WriteStream = process.stdout

  constructor(private readonly timestamps: boolean) {}

  entry(e: LogEntry): void | Promise<void> {
    const stream = e.stream === 'stderr' ? process.stderr : process.stdout
    const line = this.timestamps ? `${e.time} ${e.log}` : e.log
    if (stream !== this.stream) {
      const flushed = this.flush()
      this.stream = stream
      this.text = line
      return flushed
    }
    this.text += line
    if (this.text.length >= 64 * 1024) return this.flush()
  }

  async flush(): Promise<void> {
    if (!this.text) return
    const text = this.text
    this.text = ''
    if (!this.stream.write(text)) await once(this.stream, 'drain')
  }
}
