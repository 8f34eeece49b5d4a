import { Args, Flags } from '@oclif/core'
import { EngineCommand } from '../engine-command'

export default class Rmi extends EngineCommand {
  static override summary = 'Remove one or more images'
  static override aliases = ['image:rm', 'image:remove']
  static override examples = ['<%= config.bin %> rmi demo:1', '<%= config.bin %> rmi -f 1a2b3c4d5e6f']
  static override strict = false
  static override args = { image: Args.string({ required: true, description: 'image reference or id' }) }
  static override flags = {
    force: Flags.boolean({ char: 'f', description: 'remove even when a container uses it or it has several tags' }),
  }

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Rmi)
    const engine = await this.openEngine(flags)
    for (const ref of argv as string[]) {
      for (const step of await engine.images.remove(ref, flags.force)) {
        this.log('untagged' in step ? `Untagged: ${step.untagged}` : `Deleted: ${step.deleted}`)
      }
    }
  }
}
