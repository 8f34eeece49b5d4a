import { Args } from '@oclif/core'
import { EngineCommand } from '../engine-command'

export default class Tag extends EngineCommand {
  static override summary = 'Give an image another name'
  static override aliases = ['image:tag']
  static override examples = ['<%= config.bin %> tag demo:1 127.0.0.1:5000/team/demo:1']
  static override args = {
    source: Args.string({ required: true, description: 'image reference or id' }),
    target: Args.string({ required: true, description: 'new name[:tag]' }),
  }

  async run(): Promise<void> {
    const { flags, args } = await this.parse(Tag)
    const engine = await this.openEngine(flags)
    await engine.images.tag(args.source, args.target)
  }
}
