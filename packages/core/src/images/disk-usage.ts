/**
 * `system df`: what images and containers take and what removing unused
 * ones would give back. Image sizes count each layer once however many
 * images share it (uncompressed bytes, as Docker reports them).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { StoredImage } from './image-store'

export interface UsageRow {
  type: 'Images' | 'Containers' | 'Local Volumes'
  total: number
  active: number
  size: number
  reclaimable: number
}

/** `used` answers whether a container uses the image (by id). */
export function imageUsage(images: StoredImage[], used: (imageId: string) => boolean): UsageRow {
  const all = new Map<string, number>()
  const live = new Set<string>()
  for (const img of images) {
    img.manifest.layers.forEach((l, i) => all.set(l.digest, img.layerSizes[i]))
    if (used(img.id)) for (const l of img.manifest.layers) live.add(l.digest)
  }
  let size = 0
  let reclaimable = 0
  for (const [digest, n] of all) {
    size += n
    if (!live.has(digest)) reclaimable += n
  }
  return { type: 'Images', total: images.length, active: images.filter((i) => used(i.id)).length, size, reclaimable }
}

/** Bytes of regular files under `dir` on its own filesystem (no links followed). */
export function directorySize(dir: string): number {
  let total = 0
  let dev: number | undefined
  const walk = (d: string) => {
    let entries: fs.Dirent[]
    try {
      entries = fs.readdirSync(d, { withFileTypes: true })
    } catch {
      return
    }
    for (const e of entries) {
      const p = path.join(d, e.name)
      try {
        const st = fs.lstatSync(p)
        dev ??= st.dev
        if (st.dev !== dev) continue
        if (e.isDirectory()) walk(p)
        else if (e.isFile()) total += st.size
      } catch {
        /* vanished */
      }
    }
  }
  walk(dir)
  return total
}
