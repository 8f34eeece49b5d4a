/**
 * Image sources fetch images from somewhere into the local store, chosen by
 * transport as skopeo does: `docker://` (a registry; the default for a bare
 * reference), `oci:DIR[:REF]`, `oci-archive:FILE[:REF]`, `docker-archive:FILE`.
 * Each is a backend registered as `image-source:<transport>`.
 *
 * A whole flow, as `tsrun pull oci-archive:./img.tar` drives it:
 *
 *   1. `ImageService.pull` splits the transport off the reference and
 *      resolves `image-source:oci-archive`.
 *   2. `open('./img.tar', { platform })` indexes the archive and answers an
 *      `ImageReader`; nothing is copied yet.
 *   3. `reader.images()` reads the index, chooses the manifest for the
 *      platform (from a nested index if there is one) and answers the
 *      manifest's exact bytes with its config and layer descriptors, plus the
 *      names the image should get (`ref.name` annotations, `RepoTags`, or the
 *      pulled reference itself).
 *   4. The puller calls `fetchBlob(desc)` for the config and each missing
 *      layer, a few at a time, and verifies digest and size while it spools
 *      the stream into the store. A source never has to verify: a lying
 *      source only makes the pull fail, and nothing of a bad blob is kept.
 *   5. `close()` releases what `open` took (sockets, temp files).
 */
import type { Readable } from 'node:stream'

/** An OCI content descriptor. */
export interface Descriptor {
  mediaType: string
  digest: string
  size: number
  annotations?: Record<string, string>
}

/** One image a source can provide: its manifest (exact bytes: digests are over them) and what it points at. */
export interface ResolvedImage {
  /** Canonical references the image should get in the store; empty for an unnamed image. */
  names: string[]
  manifest: Descriptor
  manifestBytes: Buffer
  config: Descriptor
  layers: Descriptor[]
  /** What the source could not honour but did not refuse (a name that is not a valid reference), for the user to see. */
  warnings?: string[]
}

/** What `open` gets besides the reference. */
export interface SourceOptions {
  /** The platform to choose from an index (`--platform`, else the host's). */
  platform: { os: string; architecture: string; variant?: string }
  /** false: accept any TLS certificate and plain HTTP (`--tls-verify=false`); true: verified HTTPS only. */
  tlsVerify?: boolean
  /** `--authfile`: the one credentials file to use. */
  authFile?: string
  /** `--cert-dir`: the registry's certificates directory. */
  certDir?: string
  /**
   * What to call the archive in errors when `reference` is a copy the
   * engine made (`load` from stdin, or of a gzip'd archive it decompressed).
   */
  label?: string
}

/** An opened reference: the images it names and their blobs. */
export interface ImageReader {
  /** One image for a registry or a layout reference with a name; every image of an archive otherwise. */
  images(): Promise<ResolvedImage[]>
  /** Stream a blob; the caller verifies digest and size. */
  fetchBlob(desc: Descriptor): Promise<Readable>
  close(): Promise<void>
}

export interface ImageSource {
  /** The transport prefix this source serves (`docker`, `oci`, ...). */
  readonly transport: string
  /** Check the reference and open it; errors say what is wrong with it. */
  open(reference: string, opts: SourceOptions): Promise<ImageReader>
}
