import { familiarRepository, familiarString, parseReference, type StoredImage } from '@tsrun/core'

/** Docker's `image inspect` shape. */
export function imageView(img: StoredImage): Record<string, unknown> {
  return {
    Id: img.id,
    // A name pulled by digest is a RepoDigest, not a tag.
    RepoTags: img.refs.map((r) => parseReference(r)).filter((r) => !r.digest).map((r) => familiarString(r)),
    RepoDigests: [...new Set(img.refs.map((r) => parseReference(r)).map((r) => `${familiarRepository(r)}@${r.digest ?? img.manifestDigest}`))],
    Created: img.config.created,
    Architecture: img.config.architecture,
    Os: img.config.os,
    Size: img.size,
    Author: img.config.author ?? '',
    Config: img.config.config ?? {},
    RootFS: { Type: 'layers', Layers: img.config.rootfs.diff_ids },
    Metadata: { ManifestDigest: img.manifestDigest },
  }
}
