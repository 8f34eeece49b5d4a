import type { Readable } from 'node:stream'
import {
  connectRegistry,
  formatReference,
  parseReference,
  resolveManifest,
  familiarString,
  type Descriptor,
  type ImageReader,
  type ImageSource,
  type ResolvedImage,
  type SourceOptions,
} from '@tsrun/core'

/**
 * `image-source:docker`: a registry speaking the OCI distribution spec.
 * The reference is normalised as Docker does (`alpine` =
 * `docker.io/library/alpine:latest`); the pulled image is named by it. Saved
 * credentials and insecure-registry settings come from `connectRegistry`.
 */
export class DockerSource implements ImageSource {
  readonly transport = 'docker'

  constructor(private readonly root: string) {}

  async open(reference: string, opts: SourceOptions): Promise<ImageReader> {
    const ref = parseReference(reference)
    const client = connectRegistry(this.root, ref.domain, { tlsVerify: opts.tlsVerify })
    const what = familiarString(ref)
    return {
      images: async (): Promise<ResolvedImage[]> => {
        const top = await client.getManifest(ref.path, ref.digest ?? ref.tag!)
        const image = await resolveManifest(top, (d: Descriptor) => client.getManifest(ref.path, d.digest), opts.platform, what, [formatReference(ref)])
        return [image]
      },
      fetchBlob: (desc: Descriptor): Promise<Readable> => client.getBlob(ref.path, desc.digest),
      close: async () => undefined,
    }
  }
}
