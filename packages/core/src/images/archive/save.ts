/**
 * Write images from the store as one archive, in either format peers load:
 *
 * - `docker-archive` (`docker save`): `manifest.json` listing per image its
 *   config file, `RepoTags` and uncompressed `layer.tar` files (gzip layers
 *   are decompressed on the way, as Docker's format has them plain).
 * - `oci-archive`: a tar of an OCI image layout; each tag is an index entry
 *   whose `org.opencontainers.image.ref.name` is the full reference.
 *
 * Blobs shared by several images are written once.
 */
import * as fs from 'node:fs'
import type { Writable } from 'node:stream'
import { decompressLayer } from '@tsrun/native'
import { InvalidArchiveError } from '../../errors'
import { releaseTemp, trackTemp } from '../../util/temp-files'
import { explainOutOfSpace } from '../../util/write-errors'
import type { ImageStore, StoredImage } from '../image-store'
import { MediaTypes, REF_NAME } from '../oci'
import { familiarString, parseReference } from '../reference'
import { TarWriter } from './tar-writer'

export type ArchiveFormat = 'docker-archive' | 'oci-archive'

/** An image to save and the references to record for it. */
export interface SaveItem {
  image: StoredImage
  refs: string[]
}

export async function writeArchive(store: ImageStore, items: SaveItem[], format: ArchiveFormat, out: Writable): Promise<void> {
  const tar = new TarWriter(out)
  if (format === 'oci-archive') await writeOci(store, items, tar)
  else await writeDocker(store, items, tar)
  await tar.finish()
}

async function writeOci(store: ImageStore, items: SaveItem[], tar: TarWriter): Promise<void> {
  const written = new Set<string>()
  await tar.file('oci-layout', Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })))
  await tar.dir('blobs')
  await tar.dir('blobs/sha256')
  const blob = async (digest: string) => {
    if (written.has(digest)) return
    written.add(digest)
    const file = store.blobPath(digest)
    await tar.file(`blobs/sha256/${hex(digest)}`, fs.createReadStream(file), fs.statSync(file).size)
  }
  const manifests: Array<Record<string, unknown>> = []
  for (const { image, refs } of items) {
    for (const l of image.manifest.layers) await blob(l.digest)
    await blob(image.manifest.config.digest)
    await blob(image.manifestDigest)
    const desc = { mediaType: image.manifest.mediaType ?? MediaTypes.manifest, digest: image.manifestDigest, size: fs.statSync(store.blobPath(image.manifestDigest)).size }
    if (!refs.length) manifests.push(desc)
    for (const ref of refs) manifests.push({ ...desc, annotations: { [REF_NAME]: ref } })
  }
  await tar.file('index.json', Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.index, manifests })))
}

async function writeDocker(store: ImageStore, items: SaveItem[], tar: TarWriter): Promise<void> {
  const written = new Set<string>()
  const manifest: Array<{ Config: string; RepoTags: string[] | null; Layers: string[] }> = []
  for (const { image, refs } of items) {
    const layers: string[] = []
    for (const [i, layer] of image.manifest.layers.entries()) {
      const diffId = image.config.rootfs.diff_ids[i]
      const name = `${hex(diffId)}/layer.tar`
      layers.push(name)
      if (written.has(name)) continue
      written.add(name)
      await tar.dir(hex(diffId))
      await writeUncompressedLayer(store, layer.digest, diffId, name, tar)
    }
    const configName = `${hex(image.id)}.json`
    if (!written.has(configName)) {
      written.add(configName)
      await tar.file(configName, fs.readFileSync(store.blobPath(image.id)))
    }
    manifest.push({ Config: configName, RepoTags: refs.length ? refs.map((r) => familiarString(parseReference(r))) : null, Layers: layers })
  }
  await tar.file('manifest.json', Buffer.from(JSON.stringify(manifest)))
}

/**
 * docker-archive layers are plain tars: a compressed blob (gzip or zstd) is
 * decompressed natively to a temp file first, so its size is known for the
 * header, and checked against the image's diff_id on the way.
 */
async function writeUncompressedLayer(store: ImageStore, digest: string, diffId: string, name: string, tar: TarWriter): Promise<void> {
  const file = store.blobPath(digest)
  const head = Buffer.alloc(4)
  const fd = fs.openSync(file, 'r')
  const n = fs.readSync(fd, head, 0, 4, 0)
  fs.closeSync(fd)
  const gzip = n >= 2 && head[0] === 0x1f && head[1] === 0x8b
  const zstd = n >= 4 && head.equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))
  if (!gzip && !zstd) {
    await tar.file(name, fs.createReadStream(file), fs.statSync(file).size)
    return
  }
  const tmp = store.tmpPath()
  trackTemp(tmp)
  try {
    let plain
    try {
      plain = await decompressLayer(file, tmp)
    } catch (err) {
      throw explainOutOfSpace(err, `decompressing layer ${digest} for the archive`, store.paths.tmp)
    }
    if (plain.diffId !== diffId) throw new InvalidArchiveError(`layer ${digest} decompresses to ${plain.diffId}, not the image's diff_id ${diffId}; the store is damaged`)
    await tar.file(name, fs.createReadStream(tmp), plain.size)
  } finally {
    fs.rmSync(tmp, { force: true })
    releaseTemp(tmp)
  }
}

function hex(digest: string): string {
  return digest.replace(/^sha256:/, '')
}
