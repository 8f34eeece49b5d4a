import { InvalidArgumentError, parseReference, repositoryOf, type ImageReference } from '@tsrun/core'

/** podman's `images --sort` keys. */
export const IMAGE_SORT_KEYS = ['created', 'id', 'repository', 'size', 'tag'] as const

/** One listed row's sort facts. */
export interface SortableImage {
  created: string
  id: string
  repository: string
  tag: string
  size: number
}

/**
 * Order rows as podman's `images --sort KEY` does: `created` newest first
 * (the default, and Docker's only order), `id`, `repository` and `tag`
 * ascending, `size` smallest first. Stable, so equal keys keep the order
 * they came in.
 */
export function sortImages<T extends SortableImage>(items: T[], key: string): T[] {
  const by: Record<string, (a: T, b: T) => number> = {
    created: (a, b) => b.created.localeCompare(a.created),
    id: (a, b) => cmp(a.id, b.id),
    repository: (a, b) => cmp(a.repository, b.repository),
    tag: (a, b) => cmp(a.tag, b.tag),
    size: (a, b) => a.size - b.size,
  }
  const compare = by[key]
  if (!compare) throw new InvalidArgumentError(`invalid --sort "${key}": use one of ${IMAGE_SORT_KEYS.join(', ')}`)
  return [...items].sort(compare)
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * Docker's and podman's `images REPOSITORY[:TAG]`: the images of that
 * repository (any tag, or just that one). The name is read as a reference,
 * so `demo` is `docker.io/library/demo`; a malformed one is Docker's
 * invalid reference error.
 */
export function repositoryMatcher(arg: string | undefined): (ref: ImageReference | undefined) => boolean {
  if (!arg) return () => true
  const wanted = parseReference(arg)
  const tagGiven = /:[^/]*$/.test(arg.split('@')[0])
  return (ref) => !!ref && repositoryOf(ref) === repositoryOf(wanted) && (!tagGiven || ref.tag === wanted.tag)
}
