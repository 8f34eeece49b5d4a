/**
 * Network backends give a container its network (kind `network`, interface
 * `network.v1`). Before every start, core asks the container's backend to
 * `prepare`: the backend makes (or picks) the network namespace the
 * container joins and sets it up — for a bridge backend, a veth pair with
 * one end in the namespace, addresses, published ports — and answers its
 * path, which goes into the runtime spec as `linux.namespaces[].path` (the
 * shape of podman's createNetNS; any OCI runtime joins a namespace by
 * path). No path: the host's own network (no network namespace at all).
 * `teardown` undoes all of it when the container is removed, or cleaned up
 * (`tsrun container cleanup`), or a start fails; it must be idempotent,
 * since a killed tsrun may have done part of it already.
 *
 * The built-in backends (core `networks/basic-networks.ts`) are `none` (a
 * namespace of its own with only `lo`, kept under the run root) and `host`.
 */
export interface NetworkRequest {
  containerId: string
  /** The network's name (`--network`). */
  network: string
  /** A directory under the run root this container's namespace may be kept in (`<runRoot>/netns`). */
  netnsDir: string
  /** `hostPort:containerPort/proto` as given to `-p`. */
  publish: string[]
}

/** What `prepare` made. */
export interface NetworkPrepared {
  /** The namespace the container joins; undefined: the host's. */
  netnsPath?: string
  /** What `inspect` shows of the container on this network. */
  attachment?: NetworkAttachment
}

export interface NetworkAttachment {
  network: string
  ipAddress?: string
  gateway?: string
  macAddress?: string
}

export interface NetworkBackend {
  prepare(req: NetworkRequest): Promise<NetworkPrepared>
  teardown(req: NetworkRequest): Promise<void>
}
