import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { Readable } from 'node:stream'
import {
  formatReference,
  InvalidArchiveError,
  InvalidArgumentError,
  openArchive,
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
 * leaves it unnamed.
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
    const where = `${this.transport}:${location}`
    if (!files.has('oci-layout') || !files.has('index.json')) {
      close()
      throw new InvalidArchiveError(`${where} is not an OCI image layout (no oci-layout or index.json)`)
    }
    return {
      images: async () => this.images(files, where, ref, opts),
      fetchBlob: async (desc: Descriptor): Promise<Readable> => files.stream(blobName(desc.digest, where)),
      close: async () => close(),
    }
  }

  private async images(files: LayoutFiles, where: string, ref: string, opts: SourceOptions): Promise<ResolvedImage[]> {
    let index: { manifests?: Descriptor[] }
    try {
      index = JSON.parse(files.read('index.json').toString('utf8'))
    } catch {
      throw new InvalidArchiveError(`${where}: index.json is not valid JSON`)
    }
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
      const names = [...new Set(group.map((e) => fullName(e.annotations?.[REF_NAME])).filter((n): n is string => !!n))]
      const top = this.readManifest(files, { ...group[0], digest }, where)
      out.push(await resolveManifest(top, async (d) => this.readManifest(files, d, where), opts.platform, `${where}${ref ? `:${ref}` : ''}`, names))
    }
    return out
  }

  private readManifest(files: LayoutFiles, desc: Descriptor, where: string): ManifestBytes {
    const bytes = files.read(blobName(desc.digest, where))
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`
    if (digest !== desc.digest) throw new InvalidArchiveError(`${where}: blob ${desc.digest} has digest ${digest}; the layout is corrupt`)
    return { bytes, mediaType: desc.mediaType, digest }
  }
}

/** A ref.name that is a whole reference, canonical; undefined for a bare tag. */
function fullName(name: string | undefined): string | undefined {
  if (!name || (!name.includes(':') && !name.includes('/'))) return undefined
  return canonical(name)
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
