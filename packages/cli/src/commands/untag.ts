import { Args } from '@oclif/core'
import { familiarString, formatReference, InvalidArgumentError, parseReference } from '@tsrun/core'
import { EngineCommand } from '../engine-command'

/**
 * podman's `untag`: take names off an image and keep the image (dangling
 * when none is left), where `rmi` deletes an image that loses its last
 * name. Without names every name goes.
 */
export default class Untag extends EngineCommand {
  static override summary = 'Remove names from an image, keeping the image (podman)'
  static override description = 'Without a NAME every name of the image is removed; the image stays, listed as <none>:<none> until tagged again or pruned.'
  static override examples = ['<%= config.bin %> untag demo:1', '<%= config.bin %> untag 1a2b3c4d5e6f demo:1 demo:latest']
  static override usage = '[OPTIONS] IMAGE [NAME...]'
  static override strict = false
  static override args = { image: Args.string({ required: true, description: 'image reference or id' }) }

  async run(): Promise<void> {
    const { flags, args, argv } = await this.parse(Untag)
    const engine = await this.openEngine(flags)
    engine.images.list()
    const image = engine.images.store.resolve(args.image)
    const names = (argv as string[]).slice(1)
    const refs = names.length ? names.map((n) => formatReference(parseReference(n))) : image.refs
    for (const [i, ref] of refs.entries()) {
      if (!image.refs.includes(ref)) throw new InvalidArgumentError(`image ${args.image} is not tagged ${names[i] ?? familiarString(parseReference(ref))}`)
    }
    for (const ref of refs) await engine.images.store.untag(ref)
  }
}
