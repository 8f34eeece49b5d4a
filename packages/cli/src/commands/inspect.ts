import { Args, Flags } from '@oclif/core'
import { ContainerNotFoundError, inspectView, TsrunError, type Engine } from '@tsrun/core'
import { EngineCommand } from '../engine-command'
import { imageView } from '../render/image-view'
import { inspectRenderer } from '../render/inspect-format'

export default class Inspect extends EngineCommand {
  static override summary = 'Show low-level information on containers or images as JSON'
  static override aliases = ['container:inspect']
  static override examples = ['<%= config.bin %> inspect web', "<%= config.bin %> inspect -f '{{.State.Status}}' web", '<%= config.bin %> inspect demo:1']
  static override strict = false
  static override args = { object: Args.string({ required: true, description: 'container or image name or id' }) }
  static override flags = {
    format: Flags.string({ char: 'f', description: "Go template applied to each object, e.g. {{.State.Pid}} or {{json .Config}}; 'json' for compact JSON" }),
    type: Flags.string({ options: ['container', 'image'], description: 'only look for this kind of object' }),
  }

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Inspect)
    const render = inspectRenderer(flags.format)
    const engine = await this.openEngine(flags)
    const views: unknown[] = []
    for (const ref of argv as string[]) views.push(await this.find(engine, ref, flags.type))
    const { text, error } = render(views)
    process.stdout.write(text)
    if (error) throw error
  }

  private async find(engine: Engine, ref: string, type?: string): Promise<unknown> {
    if (type !== 'image') {
      try {
        const record = engine.containers.store.get(ref)
        return inspectView({ record, state: await engine.containers.state(record) }, engine.containers.logPath(record))
      } catch (err) {
        if (!(err instanceof ContainerNotFoundError) || type === 'container') throw err
      }
    }
    try {
      engine.images.list()
      return imageView(engine.images.store.resolve(ref))
    } catch (err) {
      if (type === 'image') throw err
      throw new TsrunError(`no such container or image: ${ref}`)
    }
  }
}
