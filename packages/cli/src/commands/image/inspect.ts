import { Args, Flags } from '@oclif/core'
import { EngineCommand } from '../../engine-command'
import { imageView } from '../../render/image-view'
import { inspectObjects } from '../../render/inspect-objects'

export default class ImageInspect extends EngineCommand {
  static override summary = 'Show low-level information on images as JSON'
  static override examples = ['<%= config.bin %> image inspect demo:1', "<%= config.bin %> image inspect -f '{{.Id}}' demo:1"]
  static override strict = false
  static override args = { image: Args.string({ required: true, description: 'image reference or id' }) }
  static override flags = {
    format: Flags.string({ char: 'f', description: "Go template applied to each image, e.g. {{.Architecture}}; 'json' for compact JSON" }),
  }

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(ImageInspect)
    const engine = await this.openEngine(flags)
    engine.images.list()
    await inspectObjects(argv as string[], flags.format, (ref) => imageView(engine.images.store.resolve(ref)))
  }
}
