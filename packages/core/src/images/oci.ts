/**
 * The OCI image-spec shapes the store reads and writes (the subset we use).
 * The local store is an OCI image layout, so skopeo and umoci can read it.
 */
import type { Descriptor } from '../backends/image-source'

export const MediaTypes = {
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  index: 'application/vnd.oci.image.index.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  layerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
} as const

/** The annotation OCI layouts use for a tag. We store the full normalised reference. */
export const REF_NAME = 'org.opencontainers.image.ref.name'

export interface ImageManifest {
  schemaVersion: 2
  mediaType: string
  config: Descriptor
  layers: Descriptor[]
  annotations?: Record<string, string>
}

export interface ImageIndex {
  schemaVersion: 2
  mediaType?: string
  manifests: Descriptor[]
}

/** The runtime defaults an image carries (Docker's container config subset). */
export interface ImageRuntimeConfig {
  User?: string
  Env?: string[]
  Entrypoint?: string[] | null
  Cmd?: string[] | null
  WorkingDir?: string
  Labels?: Record<string, string>
  StopSignal?: string
  ExposedPorts?: Record<string, object>
  Volumes?: Record<string, object>
}

export interface ImageConfig {
  created?: string
  author?: string
  architecture: string
  os: string
  variant?: string
  config?: ImageRuntimeConfig
  rootfs: { type: 'layers'; diff_ids: string[] }
  history?: Array<{ created?: string; author?: string; created_by?: string; comment?: string; empty_layer?: boolean }>
}

/** The host's platform in OCI words. */
export function hostPlatform(): { os: string; architecture: string } {
  const arch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' }
  return { os: 'linux', architecture: arch[process.arch] ?? process.arch }
}
