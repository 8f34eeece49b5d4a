import type { NetworkView } from '@tsrun/core'
import { goTimeString } from './docker-text'
import { LABELS, type ListingRow } from './output'

/** `docker network inspect`'s shape for one network (Engine API's network.Inspect, under its field names). */
export function networkInspectView(n: NetworkView): Record<string, unknown> {
  return {
    Name: n.name,
    Id: n.id,
    Created: n.created,
    Scope: n.scope,
    Driver: n.driver,
    EnableIPv6: n.ipv6,
    // Docker's predefined host and none networks have no address management to show.
    IPAM: { Driver: 'default', Options: null, Config: [] },
    Internal: n.internal,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: Object.fromEntries(n.containers.map((c) => [c.id, { Name: c.name, EndpointID: '', MacAddress: '', IPv4Address: '', IPv6Address: '' }])),
    Options: {},
    Labels: n.labels,
  }
}

/** One `network ls` row: docker/cli's networkContext fields. */
export function networkRow(n: NetworkView, truncate: boolean): ListingRow {
  return {
    ID: truncate ? n.id.slice(0, 12) : n.id,
    Name: n.name,
    Driver: n.driver,
    Scope: n.scope,
    IPv6: String(n.ipv6),
    Internal: String(n.internal),
    Labels: Object.keys(n.labels).sort().map((k) => `${k}=${n.labels[k]}`).join(','),
    CreatedAt: () => goTimeString(n.created),
    [LABELS]: n.labels,
  }
}
