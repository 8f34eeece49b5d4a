/**
 * Image sources fetch images from somewhere into the local store, chosen by
 * transport as skopeo does: `docker://` (a registry), `oci:DIR[:REF]`,
 * `oci-archive:FILE`, `docker-archive:FILE`.
 *
 * A whole flow, as `tsrun pull oci-archive:./img.tar` will drive it:
 *
 *   1. `resolve(ref, platform)` reads the manifest (choosing the platform from
 *      an index) and answers the config and layer descriptors.
 *   2. `fetchBlob(desc)` streams each blob; the store verifies digest and size
 *      before it keeps anything.
 */
import type { Readable } from 'node:stream'

/** An OCI content descriptor. */
export interface Descriptor {
  mediaType: string
  digest: string
  size: number
  annotations?: Record<string, string>
}

export interface ResolvedImage {
  manifest: Descriptor
  config: Descriptor
  layers: Descriptor[]
}

export interface ImageSource {
  /** The transport prefix this source serves (`docker`, `oci`, ...). */
  readonly transport: string
  resolve(reference: string, platform: { os: string; architecture: string; variant?: string }): Promise<ResolvedImage>
  fetchBlob(reference: string, desc: Descriptor): Promise<Readable>
}
