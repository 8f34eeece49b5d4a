import { Args, Flags } from '@oclif/core'
import { EngineCommand } from '../../engine-command'

export default class VolumeRm extends EngineCommand {
  static override summary = 'Remove one or more volumes'
  static override description = 'A volume some container uses (running or not) is never removed: remove the container first. With -f, a missing volume is no error.'
  static override aliases = ['volume:remove']
  static override examples = ['<%= config.bin %> volume rm data', '<%= config.bin %> volume rm -f data cache']
  static override strict = false
  static override args = { name: Args.string({ required: true, description: 'volume name' }) }
  static override flags = { force: Flags.boolean({ char: 'f', description: 'no error for a volume that does not exist' }) }

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(VolumeRm)
    const engine = await this.openEngine(flags)
    let failed = false
    for (const name of argv as string[]) {
      try {
        await engine.volumes.remove(name, flags.force)
        this.log(name)
      } catch (err) {
        // Like Docker: report each failure, keep going, fail at the end.
        await this.catch(err as Error)
        failed = true
      }
    }
    if (failed) process.exitCode ||= 125
  }
}
