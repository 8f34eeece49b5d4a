import { Args, Flags } from '@oclif/core'
import { familiarString, parseReference } from '@tsrun/core'
import { EngineCommand } from '../engine-command'
import { registryCallOptions, registryFlags } from '../flags/registry-flags'
import { credentialsFrom, credsFlag } from '../flags/creds-flag'
import { LayerProgress, pushProgress } from '../render/layer-progress'

export default class Push extends EngineCommand {
  static override summary = 'Push an image to a registry'
  static override aliases = ['image:push']
  static override description =
    'Blobs the registry has are skipped; blobs another local tag says are in a repository of the same registry are mounted from there; the manifest goes last. Credentials come from --creds, else `tsrun login` (or the logins of docker and podman, or --authfile). Set TSRUN_PUSH_CHUNK_SIZE (bytes) to upload in chunks.'
  static override examples = ['<%= config.bin %> push 127.0.0.1:5000/demo:1', '<%= config.bin %> push demo:1 127.0.0.1:5000/team/demo:1', '<%= config.bin %> push --creds alice:secret 127.0.0.1:5000/demo:1']
  static override args = {
    image: Args.string({ required: true, description: 'local image reference or id' }),
    destination: Args.string({ description: 'REGISTRY/REPO[:TAG] to push to (default: the image reference)' }),
  }
  static override flags = {
    quiet: Flags.boolean({ char: 'q', description: 'print nothing but errors' }),
    ...registryFlags,
    ...credsFlag,
  }

  async run(): Promise<void> {
    const { flags, args } = await this.parse(Push)
    const credentials = await credentialsFrom(flags.creds)
    const engine = await this.openEngine(flags)
    const progress = new LayerProgress(process.stdout)
    const dest = args.destination ?? args.image
    if (!flags.quiet) this.log(`Pushing ${familiarString(parseReference(dest))}`)
    let result
    try {
      result = await engine.images.push(args.image, args.destination, { ...registryCallOptions(flags), ...(credentials ? { credentials } : {}), progress: flags.quiet ? undefined : pushProgress(progress) })
    } finally {
      progress.done()
    }
    if (!flags.quiet) this.log(`${parseReference(result.reference).tag ?? 'digest'}: digest: ${result.digest} size: ${result.size}`)
  }
}
