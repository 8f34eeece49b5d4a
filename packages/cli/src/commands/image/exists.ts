import { Args } from '@oclif/core'
import { ImageNotFoundError } from '@tsrun/core'
import { EngineCommand } from '../../engine-command'

/** podman's `image exists`: the answer is the exit code alone; only local images count (nothing is pulled). */
export default class ImageExists extends EngineCommand {
  static override summary = 'Exit 0 when an image is here, 1 when it is not; prints nothing (podman)'
  static override examples = ['<%= config.bin %> image exists demo:1 || <%= config.bin %> pull demo:1']
  static override args = { image: Args.string({ required: true, description: 'image reference or id' }) }

  async run(): Promise<void> {
    const { flags, args } = await this.parse(ImageExists)
    const engine = await this.openEngine(flags)
    try {
      engine.images.list()
      engine.images.store.resolve(args.image)
    } catch (err) {
      if (!(err instanceof ImageNotFoundError)) throw err
      process.exitCode = 1
    }
  }
}
