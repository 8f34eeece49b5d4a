import { Args, Flags } from '@oclif/core'
import { statsRow, type ContainerRecord, type Engine, type StatsSample } from '@tsrun/core'
import { EngineCommand } from '../engine-command'
import { STATS } from '../render/listings'
import { checkListingFormat, printListing, type ListingRow } from '../render/output'
/** Between the two samples of a round: long enough for a CPU % that means something. */
const INTERVAL_MS = 1000

export default class Stats extends EngineCommand {
  static override summary = 'Show live resource usage of containers'
  static override description = 'CPU % (of one CPU), memory use and limit, network and block I/O, and the number of processes, read from each container\'s cgroup. Without names: every running container. Refreshes every second until Ctrl-C, or once with --no-stream.'
  static override examples = ['<%= config.bin %> stats', '<%= config.bin %> stats --no-stream web', '<%= config.bin %> stats --no-stream --format json']
  static override strict = false
  static override args = { container: Args.string({ required: false, description: 'container names or ids (default: all running)' }) }
  static override flags = {
    'no-stream': Flags.boolean({ description: 'print one round and exit' }),
    'no-trunc': Flags.boolean({ description: 'do not truncate output (full container ids)' }),
    format: Flags.string({ description: 'table (default), json (one object per line), or a Go template like {{.CPUPerc}}' }),
  }

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Stats)
    checkListingFormat(flags.format)
    const engine = await this.openEngine(flags)
    const named = (argv as string[]).map((r) => engine.containers.store.get(r))
    const pick = async () => (named.length ? named : (await engine.containers.list(false)).map((v) => v.record))
    let recs = await pick()
    let before = await this.sampleAll(engine, recs)
    for (;;) {
      await new Promise((r) => setTimeout(r, INTERVAL_MS))
      const after = await this.sampleAll(engine, recs)
      const rows = recs.map((r, i) => ({ ...statsRow(r.id, r.name, before[i], after[i]), ...(flags['no-trunc'] ? { ID: r.id } : {}) }) as ListingRow)
      if (!flags['no-stream'] && (flags.format ?? 'table').startsWith('table')) process.stdout.write('\x1b[2J\x1b[H')
      printListing(flags.format, STATS, rows)
      if (flags['no-stream']) return
      const next = await pick()
      if (next.map((r) => r.id).join() !== recs.map((r) => r.id).join()) {
        recs = next
        before = await this.sampleAll(engine, recs)
      } else {
        before = after
      }
    }
  }

  private sampleAll(engine: Engine, recs: ContainerRecord[]): Promise<StatsSample[]> {
    return Promise.all(recs.map((r) => engine.control.sample(r)))
  }
}
