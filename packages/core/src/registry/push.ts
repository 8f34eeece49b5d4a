/**
 * Push one stored image to a repository:
 *
 *   for the config and each layer (a few at once):
 *     HEAD the blob -> already there: skip
 *     else try a cross-repository mount from a repository of the same
 *       registry that we know has it (a local tag pointing there)
 *     else upload: monolithic PUT, or PATCH chunks then PUT when a chunk
 *       size is set (`TSRUN_PUSH_CHUNK_SIZE`)
 *   then the manifest, last, so the tag never points at missing blobs.
 */
import * as fs from 'node:fs'
import type { Descriptor } from '../backends/image-source'
import type { ImageStore, StoredImage } from '../images/image-store'
import type { RegistryClient } from './client'

export type PushEvent =
  | { type: 'blob'; digest: string; status: 'exists' | 'mounted' | 'uploading' | 'pushed'; from?: string; current?: number; total: number }
  | { type: 'manifest'; digest: string; size: number }

export interface PushOptions {
  /** Repositories (paths on this registry) that may hold the blobs, for mounting. */
  mountCandidates: string[]
  /** Upload in chunks of this many bytes; monolithic when undefined. */
  chunkSize?: number
  progress?: (e: PushEvent) => void
  concurrency?: number
}

export async function pushImage(client: RegistryClient, store: ImageStore, image: StoredImage, repo: string, tag: string | undefined, opts: PushOptions): Promise<{ digest: string; size: number }> {
  const progress = opts.progress ?? (() => undefined)
  const blobs: Descriptor[] = [...image.manifest.layers, image.manifest.config]
  let next = 0
  const worker = async () => {
    while (next < blobs.length) {
      const desc = blobs[next++]
      await pushBlob(client, store, repo, desc, opts, progress)
    }
  }
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 3, blobs.length) }, worker))
  const bytes = fs.readFileSync(store.blobPath(image.manifestDigest))
  const mediaType = image.manifest.mediaType
  const digest = await client.putManifest(repo, tag ?? image.manifestDigest, bytes, mediaType)
  progress({ type: 'manifest', digest, size: bytes.length })
  return { digest, size: bytes.length }
}

async function pushBlob(client: RegistryClient, store: ImageStore, repo: string, desc: Descriptor, opts: PushOptions, progress: (e: PushEvent) => void): Promise<void> {
  if (await client.hasBlob(repo, desc.digest)) {
    progress({ type: 'blob', digest: desc.digest, status: 'exists', total: desc.size })
    return
  }
  let upload: URL | undefined
  for (const from of opts.mountCandidates.filter((r) => r !== repo)) {
    const mounted = await client.mountBlob(repo, desc.digest, from)
    if (mounted === undefined) continue // not allowed to read `from`
    if (mounted === true) {
      progress({ type: 'blob', digest: desc.digest, status: 'mounted', from, total: desc.size })
      return
    }
    upload = mounted
    break // the registry opened an upload session instead: use it
  }
  upload ??= await client.startUpload(repo)
  const file = store.blobPath(desc.digest)
  const size = fs.statSync(file).size
  progress({ type: 'blob', digest: desc.digest, status: 'uploading', current: 0, total: size })
  if (opts.chunkSize && size > opts.chunkSize) {
    await client.putBlobChunked(repo, upload, desc.digest, size, (start, end) => fs.createReadStream(file, { start, end: end - 1 }), opts.chunkSize)
  } else {
    await client.putBlob(repo, upload, desc.digest, size, fs.createReadStream(file))
  }
  progress({ type: 'blob', digest: desc.digest, status: 'pushed', total: size })
}
