import { Args } from '@oclif/core'
import { EngineCommand } from '../../engine-command'

/** podman's `volume exists`: the answer is the exit code alone. */
export default class VolumeExists extends EngineCommand {
  static override summary = 'Exit 0 when a volume exists, 1 when it does not; prints nothing (podman)'
  static override examples = ['<%= config.bin %> volume exists data || <%= config.bin %> volume create data']
  static override args = { volume: Args.string({ required: true, description: 'volume name' }) }

  async run(): Promise<void> {
    const { flags, args } = await this.parse(VolumeExists)
    const engine = await this.openEngine(flags)
    if (!engine.volumes.store.find(args.volume)) process.exitCode = 1
  }
}
