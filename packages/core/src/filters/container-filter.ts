/**
 * `ps` selection as Docker's daemon makes it (moby daemon/list.go): which
 * containers, in which order, for `-a`, `-n N`, `-l` and every `--filter`
 * key Docker accepts. Keys: `status`, `name`, `id`, `label`, `ancestor`,
 * `exited`, `before`, `since`, `volume`, `network`, `health`, `is-task`,
 * `isolation`, `publish`, `expose`. Values of one key are alternatives;
 * `label` values must all hold; different keys must all hold.
 *
 *   filterContainers(views, { all: false, filters: FilterArgs.parse(['status=exited']) }, lookups)
 *   // status= shows stopped containers without -a, as Docker's does
 */
import type { ContainerView } from '../containers/container-service'
import { containerNetworks } from '../containers/container-networks'
import type { ContainerRecord } from '../containers/record'
import { InvalidArgumentError } from '../errors'
import { FilterArgs, invalidFilterValue } from './filter-args'

/** The keys `ps --filter` takes (Docker's acceptedPsFilterTags). */
export const PS_FILTER_KEYS = ['ancestor', 'before', 'exited', 'id', 'isolation', 'label', 'name', 'status', 'health', 'since', 'volume', 'network', 'is-task', 'publish', 'expose'] as const

/** Docker's container states (`status=`), in its order. */
export const CONTAINER_STATES = ['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead'] as const

/** Docker's health states (`health=`); without healthchecks every container is `none`. */
export const HEALTH_STATES = ['none', 'starting', 'healthy', 'unhealthy'] as const

export interface ContainerListOptions {
  /** `-a`: stopped containers too. */
  all?: boolean
  /** `-n N` (`-l` is 1): the N newest, of any state; 0 or less is no limit. */
  limit?: number
  filters?: FilterArgs
}

/** What the filters look up: `before=`/`since=` name a container, `ancestor=` an image. */
export interface ContainerLookups {
  /** The container by name or id (throws when there is none). */
  container(ref: string): ContainerRecord
  /** The id of the image `ref` names, or undefined when there is none (Docker then matches nothing). */
  imageId(ref: string): string | undefined
}

/** The state word Docker's `status` filter and `ps` STATE column use. */
export function containerStateWord(v: ContainerView): string {
  return v.state.paused ? 'paused' : v.state.restarting ? 'restarting' : v.state.status
}

/**
 * The containers `ps` lists, newest first. `views` is every container (any
 * state). Bad filter input throws before anything is chosen: an unknown key
 * (`invalid filter 'foo'`), a state, health or exit code Docker would not
 * take, a `before`/`since` container that does not exist.
 */
export function filterContainers(views: ContainerView[], opts: ContainerListOptions, lookups: ContainerLookups): ContainerView[] {
  const f = opts.filters ?? new FilterArgs()
  f.validate(PS_FILTER_KEYS)
  const exitCodes = f.get('exited').map((v) => {
    if (!/^[+-]?\d+$/.test(v)) throw invalidFilterValue('exited', v, `strconv.Atoi: parsing "${v}": invalid syntax`)
    return Number(v)
  })
  let all = Boolean(opts.all)
  for (const v of f.get('status')) {
    if (!(CONTAINER_STATES as readonly string[]).includes(v)) {
      throw invalidFilterValue('status', v, `invalid value for state (${v}): must be one of ${CONTAINER_STATES.join(', ')}`)
    }
    // Asking for a state shows containers of any state, as with -a.
    all = true
  }
  const isTask = f.getBool('is-task', false)
  for (const v of f.get('health')) {
    if (!(HEALTH_STATES as readonly string[]).includes(v)) {
      throw invalidFilterValue('health', v, `invalid value for health (${v}): must be one of ${HEALTH_STATES.join(', ')}`)
    }
  }
  // Of several values the last one counts, as the daemon keeps the last it walks.
  let before = f.get('before').map((v) => lookups.container(v)).pop()
  const since = f.get('since').map((v) => lookups.container(v)).pop()
  const ancestors = f.contains('ancestor') ? new Set(f.get('ancestor').map((v) => lookups.imageId(v)).filter((id): id is string => !!id)) : undefined
  const ports = [...f.get('publish').map((v) => checkPort('publish', v)), ...f.get('expose').map((v) => checkPort('expose', v))]
  const limit = opts.limit ?? 0

  const out: ContainerView[] = []
  for (const v of candidates(views, f)) {
    const r = v.record
    if (before) {
      if (r.id === before.id) before = undefined
      continue
    }
    if (since && r.id === since.id) break
    const running = v.state.status === 'running'
    if (!running && !all && limit <= 0) continue
    if (!f.match('name', r.name) && !f.match('name', `/${r.name}`)) continue
    if (!f.match('id', r.id)) continue
    // tsrun containers are never swarm tasks.
    if (f.contains('is-task') && isTask) continue
    if (!f.matchKVList('label', r.config.Labels)) continue
    if (limit > 0 && out.length === limit) break
    if (exitCodes.length && (running || !v.state.startedAt || !exitCodes.includes(v.state.exitCode ?? 0))) continue
    if (!f.match('status', containerStateWord(v))) continue
    if (!f.exactMatch('health', 'none')) continue
    if (f.contains('volume') && !mountsAny(r, f.get('volume'))) continue
    if (ancestors && !ancestors.has(r.imageId)) continue
    if (f.contains('network') && !onAnyNetwork(r, f.get('network'))) continue
    // No container publishes or exposes a port until networking does.
    if (ports.length) continue
    out.push(v)
  }
  return out
}

/**
 * With `id=` or `name=` the daemon starts from the containers those match
 * (an id value by unique prefix), newest first; `before=` and `since=` then
 * count only among them.
 */
function candidates(views: ContainerView[], f: FilterArgs): ContainerView[] {
  const ids = f.get('id')
  const names = f.get('name')
  if (!ids.length && !names.length) return views
  const chosen = new Set<string>()
  for (const id of ids) {
    const hits = id ? views.filter((v) => v.record.id.startsWith(id)) : []
    if (hits.length === 1) chosen.add(hits[0].record.id)
  }
  if (!ids.length) for (const v of views) if (f.match('name', v.record.name) || f.match('name', `/${v.record.name}`)) chosen.add(v.record.id)
  return views.filter((v) => chosen.has(v.record.id))
}

/** `volume=`: a volume name, a bind's host path, or a mount destination. */
function mountsAny(r: ContainerRecord, values: string[]): boolean {
  const keys = new Set<string>()
  for (const m of r.mounts ?? []) {
    keys.add(m.Name || m.Source)
    if (m.Destination) keys.add(m.Destination)
  }
  return values.some((v) => keys.has(v))
}

/** `network=`: a network's name, or a prefix of its id. */
function onAnyNetwork(r: ContainerRecord, values: string[]): boolean {
  const nets = containerNetworks(r)
  return values.some((v) => nets.some((n) => n.name === v || (n.id !== '' && n.id.startsWith(v))))
}

/** `publish=`/`expose=` values as Docker checks them: `80`, `80/tcp`, `8000-8080/udp`, no host part. */
function checkPort(key: string, value: string): string {
  if (value.includes(':')) throw new InvalidArgumentError(`filter for '${key}' should not contain ':': ${value}`)
  const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/.exec(value)
  const valid = (p: string | undefined) => p === undefined || (Number(p) >= 0 && Number(p) <= 65535)
  if (!m || !valid(m[1]) || !valid(m[2]) || (m[2] !== undefined && Number(m[2]) < Number(m[1]))) {
    throw new InvalidArgumentError(`error while looking up for ${key} ${value}: invalid port range: ${value}`)
  }
  return value
}
