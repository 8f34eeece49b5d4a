import type { ContainerRecord } from './record'

/** One network a container is attached to, as `inspect` (NetworkSettings.Networks) and `ps --filter network=` see it. */
export interface AttachedNetwork {
  /** The network's name: the key of NetworkSettings.Networks. */
  name: string
  /** The network object's id; empty while tsrun has no network objects. */
  id: string
}

/**
 * The networks of a container. Until bridge networking lands the only
 * modes are `none` and `host`, and Docker lists a container of either mode
 * as attached to the predefined network of that name; so does this. The
 * networking backend extends this one function, and inspect and the
 * filters follow.
 */
export function containerNetworks(rec: ContainerRecord): AttachedNetwork[] {
  return [{ name: rec.hostConfig.NetworkMode, id: '' }]
}
