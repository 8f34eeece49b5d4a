/**
 * `network ls --filter` and `network prune --filter` as Docker's daemon
 * reads them (moby daemon/network/filter.go), over any network a backend
 * describes with `FilterableNetwork`: `name` (regular expression), `id`
 * (regular expression on the id), `driver`, `label`, `scope`, `type`
 * (`builtin`/`custom`), `dangling` (no container attached, not
 * predefined); prune takes `label`, `label!` and `until`.
 *
 * tsrun has no network objects yet (only the `none` and `host` modes); the
 * networking backend lists its networks through this.
 *
 *   const keep = networkPredicate(FilterArgs.parse(['driver=bridge', 'dangling=true']), NETWORK_LS_FILTER_KEYS)
 *   networks.filter(keep)
 */
import { InvalidArgumentError } from '../errors'
import { FilterArgs, invalidFilter } from './filter-args'
import { parseUntil } from './filter-time'

/** The keys `network ls --filter` takes. */
export const NETWORK_LS_FILTER_KEYS = ['dangling', 'driver', 'id', 'label', 'name', 'scope', 'type'] as const

/** The keys `network prune --filter` takes. */
export const NETWORK_PRUNE_FILTER_KEYS = ['label', 'label!', 'until'] as const

/** What the filters read of a network. */
export interface FilterableNetwork {
  name: string
  id: string
  driver: string
  labels: Record<string, string>
  /** `local` for every network tsrun will have. */
  scope: string
  /** Nanoseconds since the epoch. */
  createdNano: number
  /** A container is attached. */
  inUse: boolean
  /** One of the networks that always exist (`none`, `host`, `bridge`): never dangling, never pruned. */
  predefined: boolean
}

/**
 * A predicate over networks (validated against `accepted` first). With
 * `prune`, only networks a prune may take pass: dangling ones.
 */
export function networkPredicate(f: FilterArgs, accepted: readonly string[], prune = false): (n: FilterableNetwork) => boolean {
  f.validate(accepted)
  let byUse = prune
  let danglingOnly = prune
  const dangling = f.get('dangling')
  if (dangling.length > 1) throw new InvalidArgumentError('got more than one value for filter key "dangling"')
  if (dangling.length === 1) {
    byUse = true
    if (['1', 'true'].includes(dangling[0])) danglingOnly = true
    else if (!['0', 'false'].includes(dangling[0])) throw new InvalidArgumentError(`invalid value for filter 'dangling', must be "true" (or "1"), or "false" (or "0")`)
  }
  const types = f.get('type')
  for (const t of types) if (t !== 'builtin' && t !== 'custom') throw invalidFilter(`type'='${t}`)
  const untils = f.get('until')
  if (untils.length > 1) throw new InvalidArgumentError('more than one until filter specified')
  const until = untils.length ? parseUntil(untils[0]) : undefined
  return (n) => {
    if (f.contains('driver') && !f.exactMatch('driver', n.driver)) return false
    if (f.contains('name') && !f.match('name', n.name)) return false
    if (f.contains('id') && !f.match('id', n.id)) return false
    if (f.contains('label') && !f.matchKVList('label', n.labels)) return false
    if (f.contains('label!') && f.matchKVList('label!', n.labels)) return false
    if (f.contains('scope') && !f.exactMatch('scope', n.scope)) return false
    if (byUse && (danglingOnly ? n.predefined || n.inUse : !(n.predefined || n.inUse))) return false
    // Docker looks only at the first type given.
    if (types.length && (types[0] === 'builtin') !== n.predefined) return false
    if (until !== undefined && n.createdNano > until) return false
    return true
  }
}
