import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { Readable } from 'node:stream'
import {
  formatReference,
  IMAGE_LIMITS,
  InvalidArchiveError,
  InvalidArgumentError,
  openArchive,
  parseBoundedJson,
  parseReference,
  REF_NAME,
  resolveManifest,
  type Descriptor,
  type ImageReader,
  type ImageSource,
  type ManifestBytes,
  type ResolvedImage,
  type SourceOptions,
} from '@tsrun/core'
import { blobName, DirFiles, TarFiles, type LayoutFiles } from './layout-files'

/**
 * `image-source:oci` (`oci:DIR[:REF]`, an OCI image layout directory) and
 * `image-source:oci-archive` (`oci-archive:FILE[:REF]`, the same as a tar).
 * As skopeo, the path ends at the first colon. With REF, the index entries
 * whose `org.opencontainers.image.ref.name` is REF (or normalises to the same
 * reference) are taken; without, every image of an archive, or the only image
 * of a directory. A ref name that is a full reference (`docker.io/x/y:1`,
 * `demo:1`) names the pulled image; a bare tag (`latest`, as skopeo writes)
 * leaves it unnamed. A ref name that looks like a reference but is not a
 * valid one (`Upper/x:1`) also leaves it unnamed, with a warning naming it:
 * the OCI spec allows any ref name, so it is not a reason to refuse.
 */
export class OciLayoutSource implements ImageSource {
  constructor(readonly transport: 'oci' | 'oci-archive', private readonly root: string) {}

  async open(reference: string, opts: SourceOptions): Promise<ImageReader> {
    const colon = reference.indexOf(':')
    const location = colon >= 0 ? reference.slice(0, colon) : reference
    const ref = colon >= 0 ? reference.slice(colon + 1) : ''
    if (!location) throw new InvalidArgumentError(`${this.transport}:${reference}: give a path, e.g. ${this.transport}:./image${this.transport === 'oci' ? '' : '.tar'}`)
    let files: LayoutFiles
    let close = () => undefined as void
    if (this.transport === 'oci') {
      files = new DirFiles(location)
    } else {
      const tmpDir = path.join(this.root, 'tmp')
      fs.mkdirSync(tmpDir, { recursive: true })
      const archive = await openArchive(location, () => path.join(tmpDir, `blob-${process.pid}-${Date.now()}-${Math.random().toString(16).slice(2)}`), location)
      files = new TarFiles(archive.index)
      close = archive.close
    }
    const where = `${this.transport}:${opts.label ?? location}`
    if (!files.has('oci-layout') || !files.has('index.json')) {
      close()
      throw new InvalidArchiveError(`${where} is not an OCI image layout (no oci-layout or index.json)`)
    }
    try {
      checkLayoutVersion(files.read('oci-layout', 4096), where)
    } catch (err) {
      close()
      throw err
    }
    return {
      images: async () => this.images(files, where, ref, opts),
      fetchBlob: async (desc: Descriptor): Promise<Readable> => files.stream(blobName(desc.digest, where)),
      close: async () => close(),
    }
  }

  private async images(files: LayoutFiles, where: string, ref: string, opts: SourceOptions): Promise<ResolvedImage[]> {
    const limit = IMAGE_LIMITS.archiveIndexBytes
    const index = parseBoundedJson(files.read('index.json', limit), `${where}: index.json`, limit) as { manifests?: Descriptor[] }
    if (typeof index !== 'object' || index === null || (index.manifests !== undefined && !Array.isArray(index.manifests))) throw new InvalidArchiveError(`${where}: index.json has no manifests list`)
    if ((index.manifests?.length ?? 0) > IMAGE_LIMITS.indexEntries) throw new InvalidArchiveError(`${where}: index.json lists ${index.manifests!.length} manifests, more than the ${IMAGE_LIMITS.indexEntries} allowed; refusing it`)
    if (!(index.manifests ?? []).every((e) => typeof e === 'object' && e !== null)) throw new InvalidArchiveError(`${where}: index.json has an entry that is not an object`)
    let entries = index.manifests ?? []
    if (ref) {
      const wanted = canonical(ref)
      entries = entries.filter((e) => {
        const name = e.annotations?.[REF_NAME]
        return name === ref || (name !== undefined && wanted !== undefined && canonical(name) === wanted)
      })
      if (!entries.length) throw new InvalidArgumentError(`${where} has no image named "${ref}"; names there: ${namesIn(index.manifests ?? []) || '(none)'}`)
    } else if (this.transport === 'oci' && new Set(entries.map((e) => e.digest)).size > 1) {
      throw new InvalidArgumentError(`${where} holds several images; choose one with ${where}:NAME (names there: ${namesIn(entries) || '(none)'})`)
    }
    if (!entries.length) throw new InvalidArchiveError(`${where} holds no image`)
    const byDigest = new Map<string, Descriptor[]>()
    for (const e of entries) byDigest.set(e.digest, [...(byDigest.get(e.digest) ?? []), e])
    const out: ResolvedImage[] = []
    for (const [digest, group] of byDigest) {
      const warnings: string[] = []
      const names = new Set<string>()
      for (const e of group) {
        const name = e.annotations?.[REF_NAME]
        const full = fullName(name)
        if (full) names.add(full)
        else if (full === null) warnings.push(`${where}: the name "${name}" of image ${digest.slice(7, 19)} is not a valid image reference; the image is loaded without it`)
      }
      const top = this.readManifest(files, { ...group[0], digest }, where)
      const image = await resolveManifest(top, async (d) => this.readManifest(files, d, where), opts.platform, `${where}${ref ? `:${ref}` : ''}`, [...names])
      out.push(warnings.length ? { ...image, warnings } : image)
    }
    return out
  }

  private readManifest(files: LayoutFiles, desc: Descriptor, where: string): ManifestBytes {
    const bytes = files.read(blobName(desc.digest, where), IMAGE_LIMITS.manifestBytes)
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`
    if (digest !== desc.digest) throw new InvalidArchiveError(`${where}: blob ${desc.digest} has digest ${digest}; the layout is corrupt`)
    // The descriptor's size is part of what it asserts (as skopeo checks it).
    if (typeof desc.size === 'number' && bytes.length !== desc.size) {
      throw new InvalidArchiveError(`${where}: blob ${desc.digest} is ${bytes.length} bytes, its descriptor says ${desc.size}; the layout is corrupt`)
    }
    return { bytes, mediaType: desc.mediaType, digest }
  }
}

/** `oci-layout` must be JSON naming a 1.x layout (image-spec 1.0 and 1.1 both write 1.0.0). */
function checkLayoutVersion(bytes: Buffer, where: string): void {
  let version: unknown
  try {
    version = (JSON.parse(bytes.toString('utf8')) as { imageLayoutVersion?: unknown }).imageLayoutVersion
  } catch {
    throw new InvalidArchiveError(`${where}: oci-layout is not valid JSON`)
  }
  if (typeof version !== 'string' || !/^1\.\d+\.\d+$/.test(version)) {
    throw new InvalidArchiveError(`${where}: unsupported OCI layout version ${JSON.stringify(version).slice(0, 40)} (tsrun reads 1.x layouts)`)
  }
}

/**
 * A ref.name that is a whole reference (name:tag), canonical; undefined for
 * none or a bare tag (`latest`, as skopeo writes); null for one that looks
 * like a reference but is not a valid one.
 */
function fullName(name: string | undefined): string | undefined | null {
  if (typeof name !== 'string' || (!name.includes(':') && !name.includes('/'))) return undefined
  let ref
  try {
    ref = parseReference(name)
  } catch {
    return null
  }
  return ref.digest ? null : formatReference(ref)
}

function canonical(name: string): string | undefined {
  try {
    return formatReference(parseReference(name))
  } catch {
    return undefined
  }
}

function namesIn(entries: Descriptor[]): string {
  return [...new Set(entries.map((e) => e.annotations?.[REF_NAME]).filter(Boolean))].join(', ')
}
