/**
 * `volume ls --filter` and `volume prune --filter` as Docker's volume
 * service reads them (moby daemon/volume/service): `dangling` (no container
 * uses it), `name` (a regular expression, unanchored), `driver`, `label`
 * (every value holds) and, for prune, `label!` and `all`.
 */
import type { VolumeRecord } from '../volumes/volume-record'
import { FilterArgs, invalidFilterValue, matchLabels } from './filter-args'

/** The keys `volume ls --filter` takes. */
export const VOLUME_LS_FILTER_KEYS = ['dangling', 'name', 'driver', 'label'] as const

/** The keys `volume prune --filter` takes. */
export const VOLUME_PRUNE_FILTER_KEYS = ['label', 'label!', 'all'] as const

/**
 * A predicate over volumes for these filters (validated against `accepted`
 * first). `inUse` answers whether any container mounts the volume.
 */
export function volumePredicate(f: FilterArgs, accepted: readonly string[], inUse: (name: string) => boolean): (v: VolumeRecord) => boolean {
  f.validate(accepted)
  const drivers = f.get('driver')
  const dangling = f.contains('dangling') ? f.getBool('dangling', false) : undefined
  return (v) => {
    if (drivers.length && !drivers.includes(v.driver)) return false
    if (!f.match('name', v.name)) return false
    if (!matchLabels(f, v.labels)) return false
    if (dangling !== undefined && dangling === inUse(v.name)) return false
    return true
  }
}

/**
 * `all=` of `volume prune --filter` (what `-a` sends): named volumes too.
 * Absent: only anonymous ones, as Docker prunes by default.
 */
export function pruneAllVolumes(f: FilterArgs): boolean {
  const all = f.get('all')
  if (all.length > 1) throw invalidFilterValue('all', `[${all.join(' ')}]`, 'only one value is expected')
  if (!all.length) return false
  const v = all[0]
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v)) return true
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(v)) return false
  throw invalidFilterValue('all', v, `strconv.ParseBool: parsing "${v}": invalid syntax`)
}
