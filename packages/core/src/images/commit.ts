/**
 * `tsrun commit`: the image config and manifest of a container's image with
 * one more layer, the container's changes, on top (docker commit). The
 * config is the container's (its Env, Cmd, Entrypoint, WorkingDir, User,
 * Labels, ... as it runs, which is what Docker's commit keeps) with the
 * `--change` instructions applied; the history gains one entry saying what
 * the container ran, with the author and message.
 */
import { createHash } from 'node:crypto'
import type { Descriptor } from '../backends/image-source'
import type { StoredImage } from './image-store'
import type { SpooledLayer, SingleLayerImage } from './import'
import { MediaTypes, type ImageConfig, type ImageManifest, type ImageRuntimeConfig } from './oci'

/** What `commit` takes besides the container. */
export interface CommitOptions {
  /** `-a/--author`. */
  author?: string
  /** `-m/--message`: the history entry's comment. */
  message?: string
  /** The config the new image runs with (the container's, `--change` applied). */
  config: ImageRuntimeConfig
  /** The history entry's `created_by`: the container's command. */
  createdBy: string
}

/** Docker's layer media types and their OCI names (the same bytes), for an OCI manifest. */
const OCI_LAYER_TYPE: Record<string, string> = {
  'application/vnd.docker.image.rootfs.diff.tar': MediaTypes.layer,
  'application/vnd.docker.image.rootfs.diff.tar.gzip': MediaTypes.layerGzip,
}

/** The new image: config, manifest, and the digests to lease before writing them. */
export function buildCommitImage(base: StoredImage, layer: SpooledLayer, opts: CommitOptions): SingleLayerImage {
  const created = new Date().toISOString()
  const history = [...(base.config.history ?? [])]
  // A base whose history names fewer layers than it has (some importers
  // write none) gets entries for them, so `history` still pairs each entry
  // with its own layer's size.
  const described = history.filter((h) => !h.empty_layer).length
  for (let i = described; i < base.layers.length; i++) history.push({ created: base.config.created, created_by: '' })
  history.push({ created, ...(opts.author ? { author: opts.author } : {}), created_by: opts.createdBy, ...(opts.message ? { comment: opts.message } : {}) })
  const config: ImageConfig = {
    ...structuredClone(base.config),
    created,
    config: opts.config,
    rootfs: { type: 'layers', diff_ids: [...base.config.rootfs.diff_ids, layer.diffId] },
    history,
  }
  if (opts.author) config.author = opts.author
  else delete config.author
  const configBytes = Buffer.from(JSON.stringify(config))
  const configDesc: Descriptor = { mediaType: MediaTypes.config, digest: sha256(configBytes), size: configBytes.length }
  const layers = base.manifest.layers.map((l) => ({ ...l, mediaType: OCI_LAYER_TYPE[l.mediaType] ?? l.mediaType }))
  const manifest: ImageManifest = { schemaVersion: 2, mediaType: MediaTypes.manifest, config: configDesc, layers: [...layers, layer.descriptor] }
  const manifestBytes = Buffer.from(JSON.stringify(manifest))
  return { configBytes, manifestBytes, digests: [configDesc.digest, sha256(manifestBytes)] }
}

function sha256(b: Buffer): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`
}
