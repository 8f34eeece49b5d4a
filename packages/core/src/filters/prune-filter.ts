/**
 * `--filter` of the prune commands as Docker's daemon reads it: `until`
 * (created before a time, or longer ago than a duration) and `label` /
 * `label!` on the object's labels; image prune adds `dangling` (what `-a`
 * turns off). `system prune` passes its filters to each of them.
 *
 *   const keep = containerPrunePredicate(FilterArgs.parse(['until=24h', 'label!=keep']))
 *   stopped.filter((r) => keep(r))
 */
import { InvalidArgumentError } from '../errors'
import type { StoredImage } from '../images/image-store'
import type { ContainerRecord } from '../containers/record'
import { FilterArgs, matchLabels } from './filter-args'
import { createdNano, parseUntil } from './filter-time'
import { imagePredicate } from './image-filter'

/** The keys `container prune --filter` takes. */
export const CONTAINER_PRUNE_FILTER_KEYS = ['label', 'label!', 'until'] as const

/** The keys `image prune --filter` takes. */
export const IMAGE_PRUNE_FILTER_KEYS = ['dangling', 'label', 'label!', 'until'] as const

/** Which stopped containers a prune may take: created before `until=`, labels as `label=`/`label!=` say. */
export function containerPrunePredicate(f: FilterArgs): (r: ContainerRecord) => boolean {
  f.validate(CONTAINER_PRUNE_FILTER_KEYS)
  const untils = f.get('until')
  if (untils.length > 1) throw new InvalidArgumentError('more than one until filter specified')
  const until = untils.length ? parseUntil(untils[0]) : undefined
  return (r) => {
    if (until !== undefined && (createdNano(r.created) ?? 0) > until) return false
    return matchLabels(f, r.config.Labels)
  }
}

/** An image prune's choice: only dangling images, and which of the candidates it may take. */
export interface ImagePruneFilter {
  /** `dangling=true` (the default); `-a` sends `dangling=false`: every unused image. */
  danglingOnly: boolean
  keep: (image: StoredImage) => boolean
}

/**
 * The filters of `image prune`. `all` is `-a`, which docker/cli sends as
 * `dangling=false` next to what the user gave (so `-a --filter
 * dangling=true` is the daemon's conflict error).
 */
export function imagePruneFilter(f: FilterArgs, all: boolean, resolve: (ref: string) => StoredImage): ImagePruneFilter {
  f.validate(IMAGE_PRUNE_FILTER_KEYS)
  const withAll = new FilterArgs()
  for (const key of f.keys()) for (const v of f.get(key)) withAll.add(key, v)
  withAll.add('dangling', String(!all))
  const danglingOnly = withAll.getBool('dangling', true)
  return { danglingOnly, keep: imagePredicate(f, resolve) }
}
