/**
 * Network backends connect a container's network namespace to something.
 *
 * Two modes need no backend and are handled by the engine: `none` (a new
 * network namespace with only `lo` up; the default until a bridge backend
 * exists) and `host` (no network namespace). A backend such as `bridge`
 * plugs in here:
 *
 *   1. `attach(req)` after the container's PID 1 exists: create a veth pair,
 *      move one end into the namespace at `netnsPath`, address it, publish
 *      ports. Returns what the engine records for `inspect`.
 *   2. `detach(req)` when the container stops: undo all of it, idempotently.
 */
export interface NetworkAttachRequest {
  containerId: string
  /** `/proc/<pid>/ns/net` of the container. */
  netnsPath: string
  network: string
  /** `hostPort:containerPort/proto` as given to `-p`. */
  publish: string[]
}

export interface NetworkAttachment {
  network: string
  ipAddress?: string
  gateway?: string
  macAddress?: string
}

export interface NetworkBackend {
  attach(req: NetworkAttachRequest): Promise<NetworkAttachment>
  detach(req: NetworkAttachRequest): Promise<void>
}
