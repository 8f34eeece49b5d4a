/**
 * The networks `network ls`, `network inspect` and `inspect --type network`
 * show, as Docker's daemon lists them. Until bridge networking (issue 11)
 * brings networks a user creates, these are the predefined networks tsrun
 * has: `host` (driver `host`: the host's network namespace) and `none`
 * (driver `null`: a namespace with only `lo`). Docker's third, `bridge`,
 * joins them with the bridge backend, which lists its networks through
 * this service too.
 */
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import type { ContainerView } from '../containers/container-service'
import { containerNetworks } from '../containers/container-networks'
import { NetworkNotFoundError } from '../errors'
import { FilterArgs } from '../filters/filter-args'
import { NETWORK_LS_FILTER_KEYS, networkPredicate, type FilterableNetwork } from '../filters/network-filter'

/** One network, with what `inspect` shows of it. */
export interface NetworkView extends FilterableNetwork {
  /** RFC 3339. */
  created: string
  internal: boolean
  ipv6: boolean
  /** The running containers on it (Docker's endpoints). */
  containers: Array<{ id: string; name: string }>
}

/** The predefined networks: name and Docker's driver name. */
const PREDEFINED: ReadonlyArray<{ name: string; driver: string }> = [
  { name: 'host', driver: 'host' },
  { name: 'none', driver: 'null' },
]

export class NetworkService {
  constructor(
    /** The engine's state root: the predefined networks' ids and creation time are this store's, as Docker's are its daemon's. */
    private readonly root: string,
    private readonly containers: () => Promise<ContainerView[]>,
  ) {}

  /** Every network `filters` lets through (Docker's network ls filters), sorted by name as Docker's CLI sorts them. */
  async list(filters: FilterArgs = new FilterArgs()): Promise<NetworkView[]> {
    const keep = networkPredicate(filters, NETWORK_LS_FILTER_KEYS)
    return (await this.all()).filter(keep).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  }

  /** By name, then whole id, then unique id prefix, as Docker's daemon looks a network up. */
  async inspect(ref: string): Promise<NetworkView> {
    const all = await this.all()
    const found =
      all.find((n) => n.name === ref) ??
      all.find((n) => n.id === ref) ??
      (/^[0-9a-f]+$/.test(ref) ? single(all.filter((n) => n.id.startsWith(ref))) : undefined)
    if (!found) throw new NetworkNotFoundError(ref)
    return found
  }

  /** Whether `ref` names a network (podman's `network exists`). */
  async exists(ref: string): Promise<boolean> {
    return this.inspect(ref).then(
      () => true,
      () => false,
    )
  }

  private async all(): Promise<NetworkView[]> {
    const running = (await this.containers()).filter((v) => v.state.status === 'running')
    const created = this.createdAt()
    return PREDEFINED.map(({ name, driver }) => {
      const on = running.filter((v) => containerNetworks(v.record).some((n) => n.name === name))
      return {
        name,
        // Stable for this store and different from another's, as Docker's random ids are per daemon.
        id: createHash('sha256').update(`tsrun network\0${this.root}\0${name}`).digest('hex'),
        driver,
        labels: {},
        scope: 'local',
        created: created.toISOString(),
        createdNano: created.getTime() * 1e6,
        inUse: on.length > 0,
        predefined: true,
        internal: false,
        ipv6: false,
        containers: on.map((v) => ({ id: v.record.id, name: v.record.name })),
      }
    })
  }

  /** When the store was made: the predefined networks exist since then (Docker: since its daemon first ran). */
  private createdAt(): Date {
    try {
      const st = fs.statSync(this.root)
      return st.birthtimeMs > 0 ? st.birthtime : st.ctime
    } catch {
      return new Date(0)
    }
  }
}

function single<T>(items: T[]): T | undefined {
  return items.length === 1 ? items[0] : undefined
}
