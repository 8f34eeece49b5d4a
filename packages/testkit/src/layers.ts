import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { LayerRef } from '@tsrun/core'

/** Files of a layer: path -> content. A name `.wh.X` is a whiteout of X, as in OCI layers. */
export type LayerFiles = Record<string, string>

/** Build a real layer tarball with GNU tar and describe it as the store would. */
export function makeLayer(dir: string, name: string, files: LayerFiles): LayerRef {
  const src = path.join(dir, `${name}-src`)
  for (const [p, content] of Object.entries(files)) {
    fs.mkdirSync(path.join(src, path.dirname(p)), { recursive: true })
    fs.writeFileSync(path.join(src, p), content)
  }
  const blobPath = path.join(dir, `${name}.tar`)
  execFileSync('tar', ['--sort=name', '--owner=0', '--group=0', '-C', src, '-cf', blobPath, '.'])
  const diffId = `sha256:${createHash('sha256').update(fs.readFileSync(blobPath)).digest('hex')}`
  return { diffId, blobPath, mediaType: 'application/vnd.oci.image.layer.v1.tar' }
}
