import { Args, Flags } from '@oclif/core'
import { ContainerNotFoundError, ImageNotFoundError, inspectView, InvalidArgumentError, InvalidReferenceError, NetworkNotFoundError, TsrunError, VolumeNotFoundError, type Engine } from '@tsrun/core'
import { EngineCommand } from '../engine-command'
import { imageView } from '../render/image-view'
import { inspectObjects } from '../render/inspect-objects'
import { volumeInspectView } from '../render/volume-view'
import { networkInspectView } from '../render/network-view'

/** The object kinds `inspect --type` takes, in the order a name is looked up without it (docker/cli's inspectAll). */
const TYPES = ['container', 'image', 'network', 'volume'] as const
type ObjectType = (typeof TYPES)[number]

/** A name no object of any kind answers to. */
class NoSuchObjectError extends TsrunError {
  constructor(ref: string) {
    super(`No such object: ${ref}`)
  }
}

export default class Inspect extends EngineCommand {
  static override summary = 'Show low-level information on containers, images or volumes as JSON'
  static override aliases = ['container:inspect']
  static override description =
    'Without --type a name is looked up as a container, then an image, a network and a volume, as Docker does. The objects found are printed; then one error line per name that was not, and the exit status is 1.'
  static override examples = [
    '<%= config.bin %> inspect web',
    "<%= config.bin %> inspect -f '{{.State.Status}}' web",
    '<%= config.bin %> inspect demo:1',
    "<%= config.bin %> inspect --type volume -f '{{.Mountpoint}}' data",
  ]
  static override strict = false
  static override args = { object: Args.string({ required: true, description: 'container, image or volume name or id' }) }
  static override flags = {
    format: Flags.string({ char: 'f', description: "Go template applied to each object, e.g. {{.State.Pid}} or {{json .Config}}; 'json' for compact JSON" }),
    type: Flags.string({ description: 'only look for this kind of object: container, image, network or volume' }),
    size: Flags.boolean({ char: 's', description: 'add SizeRw and SizeRootFs to containers' }),
  }

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Inspect)
    const type = flags.type as ObjectType | undefined
    if (type !== undefined && !TYPES.includes(type)) throw new InvalidArgumentError(`unknown type: "${flags.type}": must be one of "${TYPES.join('", "')}"`)
    const engine = await this.openEngine(flags)
    await inspectObjects(argv as string[], flags.format, (ref) => this.find(engine, ref, type, flags.size))
  }

  private async find(engine: Engine, ref: string, type: ObjectType | undefined, size: boolean): Promise<unknown> {
    for (const kind of type ? [type] : TYPES) {
      try {
        const found = await this.lookup(engine, kind, ref, size)
        if (size && kind !== 'container') process.stderr.write(`WARNING: --size ignored for ${kind}\n`)
        return found
      } catch (err) {
        // Without --type, "not found" (or not a valid name of this kind) moves on to the next kind, as in docker/cli.
        if (type || !skippable(err)) throw err
      }
    }
    throw new NoSuchObjectError(ref)
  }

  private async lookup(engine: Engine, kind: ObjectType, ref: string, size: boolean): Promise<unknown> {
    switch (kind) {
      case 'container': {
        const record = engine.containers.store.get(ref)
        const view = { record, state: await engine.containers.state(record) }
        return inspectView(view, engine.containers.logPath(record), size ? await engine.containers.sizes(record) : undefined)
      }
      case 'image':
        engine.images.list()
        return imageView(engine.images.store.resolve(ref))
      case 'network':
        return networkInspectView(await engine.networks.inspect(ref))
      case 'volume': {
        const v = engine.volumes.inspect(ref)
        return volumeInspectView(v, await engine.volumes.usage(v))
      }
    }
  }
}

function skippable(err: unknown): boolean {
  return err instanceof ContainerNotFoundError || err instanceof ImageNotFoundError || err instanceof InvalidReferenceError || err instanceof NetworkNotFoundError || err instanceof VolumeNotFoundError
}
