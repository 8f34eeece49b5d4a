import { Args, Flags } from '@oclif/core'
import { familiarString, parseReference, parsePlatform, shortId } from '@tsrun/core'
import { EngineCommand } from '../engine-command'
import { registryFlags } from '../flags/registry-flags'
import { LayerProgress, pullProgress } from '../render/layer-progress'

export default class Pull extends EngineCommand {
  static override summary = 'Pull an image from a registry or an archive'
  static override description =
    'The source is chosen by transport, as skopeo does: a bare reference or docker://REF is a registry; oci:DIR[:REF], oci-archive:FILE[:REF] and docker-archive:FILE[:REF] read local layouts and archives. An interrupted pull resumes with the layers already complete.'
  static override examples = [
    '<%= config.bin %> pull 127.0.0.1:5000/demo:1',
    '<%= config.bin %> pull --platform linux/arm64 registry.example.com/app@sha256:...',
    '<%= config.bin %> pull oci-archive:./img.tar',
    '<%= config.bin %> pull -q docker-archive:./saved.tar',
  ]
  static override args = { image: Args.string({ required: true, description: 'REGISTRY/REPO[:TAG|@DIGEST], or TRANSPORT:REF' }) }
  static override flags = {
    platform: Flags.string({ description: 'os/arch[/variant] to choose from a multi-platform image (default: this host)' }),
    quiet: Flags.boolean({ char: 'q', description: 'print only the image id' }),
    ...registryFlags,
  }

  async run(): Promise<void> {
    const { flags, args } = await this.parse(Pull)
    const platform = flags.platform ? parsePlatform(flags.platform) : undefined
    const engine = await this.openEngine(flags)
    const progress = new LayerProgress(process.stdout)
    if (!flags.quiet) this.log(`Pulling ${args.image}`)
    let images
    try {
      images = await engine.images.pull(args.image, { platform, tlsVerify: flags['tls-verify'], progress: flags.quiet ? undefined : pullProgress(progress), onWarning: (m) => process.stderr.write(`WARNING: ${m}\n`) })
    } finally {
      progress.done()
    }
    for (const img of images) {
      if (flags.quiet) {
        this.log(img.id)
        continue
      }
      this.log(`Digest: ${img.manifestDigest}`)
      const names = img.copiedRefs.map((r) => familiarString(parseReference(r)))
      this.log(`Pulled: ${names.length ? names.join(', ') : '<none>'} (${shortId(img.id)})`)
    }
  }
}
