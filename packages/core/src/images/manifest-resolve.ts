/**
 * From a fetched manifest-or-index to the one image manifest to pull: an
 * index is narrowed to the platform wanted, and the result is checked for the
 * shape we rely on. Shared by every image source so they choose alike.
 */
import type { Descriptor, ResolvedImage } from '../backends/image-source'
import { BlobVerificationError } from '../registry/errors'
import { isIndexType, isManifestType, manifestMediaType, DockerMediaTypes } from '../registry/media-types'
import { selectPlatform, type Platform, type PlatformDescriptor } from '../registry/platform'
import { InvalidArchiveError } from '../errors'
import { IMAGE_LIMITS, parseBoundedJson } from './image-limits'

/** Manifest or index bytes with their media type and digest. */
export interface ManifestBytes {
  bytes: Buffer
  mediaType?: string
  digest: string
}

/**
 * Resolve `top` to an image manifest for `platform`. `child` fetches an index
 * entry by descriptor. `what` names the reference in errors.
 */
export async function resolveManifest(top: ManifestBytes, child: (d: Descriptor) => Promise<ManifestBytes>, platform: Platform, what: string, names: string[]): Promise<ResolvedImage> {
  let current = top
  for (let depth = 0; depth < 4; depth++) {
    const doc = parse(current, what)
    const mediaType = manifestMediaType(current.mediaType, doc)
    if (mediaType === DockerMediaTypes.schema1 || mediaType === DockerMediaTypes.schema1Signed) {
      throw new InvalidArchiveError(`${what} uses the Docker schema 1 manifest format, which tsrun does not support; push it again with a current tool`)
    }
    if (isIndexType(mediaType)) {
      if (doc.manifests !== undefined && !Array.isArray(doc.manifests)) throw new InvalidArchiveError(`${what}: the index's manifests is not a list`)
      if ((doc.manifests?.length ?? 0) > IMAGE_LIMITS.indexEntries) throw new InvalidArchiveError(`${what}: the index lists ${doc.manifests!.length} manifests, more than the ${IMAGE_LIMITS.indexEntries} allowed; refusing it`)
      const entries = ((doc.manifests ?? []) as PlatformDescriptor[]).filter((e) => typeof e === 'object' && e !== null)
      const chosen = selectPlatform(entries.filter((e) => isManifestType(e.mediaType) || isIndexType(e.mediaType)), platform, what)
      const next = await child(chosen)
      if (next.digest !== chosen.digest) throw new BlobVerificationError(`${what}: manifest ${chosen.digest} arrived with digest ${next.digest}; refusing it`)
      current = { ...next, mediaType: next.mediaType ?? chosen.mediaType }
      continue
    }
    if (!isManifestType(mediaType)) throw new InvalidArchiveError(`${what}: unsupported manifest type ${mediaType}`)
    if (!doc.config?.digest || !Array.isArray(doc.layers)) throw new InvalidArchiveError(`${what}: the manifest has no config or no layers list`)
    if (doc.layers.length > IMAGE_LIMITS.layers) throw new InvalidArchiveError(`${what}: the manifest lists ${doc.layers.length} layers, more than the ${IMAGE_LIMITS.layers} allowed; refusing it`)
    for (const d of [doc.config, ...doc.layers]) {
      if (typeof d !== 'object' || d === null || typeof d.digest !== 'string' || !/^sha256:[a-f0-9]{64}$/.test(d.digest) || typeof d.size !== 'number' || d.size < 0) {
        throw new InvalidArchiveError(`${what}: the manifest has a malformed descriptor (${JSON.stringify(d).slice(0, 120)})`)
      }
    }
    return {
      names,
      manifest: { mediaType, digest: current.digest, size: current.bytes.length },
      manifestBytes: current.bytes,
      config: doc.config,
      layers: doc.layers,
    }
  }
  throw new InvalidArchiveError(`${what}: indexes nested too deeply`)
}

interface ManifestDoc {
  mediaType?: string
  schemaVersion?: number
  manifests?: unknown[]
  config?: Descriptor
  layers?: Descriptor[]
}

function parse(m: ManifestBytes, what: string): ManifestDoc {
  const doc = parseBoundedJson(m.bytes, `${what}: the manifest`, IMAGE_LIMITS.manifestBytes)
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new InvalidArchiveError(`${what}: the manifest is not a JSON object`)
  return doc as ManifestDoc
}
