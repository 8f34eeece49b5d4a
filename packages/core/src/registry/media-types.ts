/**
 * Manifest media types a registry may answer with. Docker's schema2 types are
 * the OCI ones under other names; schema1 is refused with a clear message.
 */
import { MediaTypes } from '../images/oci'

export const DockerMediaTypes = {
  manifest: 'application/vnd.docker.distribution.manifest.v2+json',
  manifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  config: 'application/vnd.docker.container.image.v1+json',
  layerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  layer: 'application/vnd.docker.image.rootfs.diff.tar',
  schema1: 'application/vnd.docker.distribution.manifest.v1+json',
  schema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const

/** What we ask registries for, best first. */
export const MANIFEST_ACCEPT = [MediaTypes.manifest, MediaTypes.index, DockerMediaTypes.manifest, DockerMediaTypes.manifestList].join(', ')

export function isIndexType(mediaType: string | undefined): boolean {
  return mediaType === MediaTypes.index || mediaType === DockerMediaTypes.manifestList
}

export function isManifestType(mediaType: string | undefined): boolean {
  return mediaType === MediaTypes.manifest || mediaType === DockerMediaTypes.manifest
}

/**
 * The media type of a manifest document: the registry's Content-Type when it
 * is one we know, else the document's own `mediaType`, else guessed from its
 * shape (OCI allows omitting `mediaType`).
 */
export function manifestMediaType(contentType: string | undefined, doc: { mediaType?: string; manifests?: unknown; layers?: unknown; schemaVersion?: number }): string {
  const ct = contentType?.split(';')[0].trim()
  if (ct && (isIndexType(ct) || isManifestType(ct) || ct === DockerMediaTypes.schema1 || ct === DockerMediaTypes.schema1Signed)) return ct
  if (doc.mediaType) return doc.mediaType
  if (doc.schemaVersion === 1) return DockerMediaTypes.schema1
  if (Array.isArray(doc.manifests)) return MediaTypes.index
  return MediaTypes.manifest
}
