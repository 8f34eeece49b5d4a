/**
 * The two networks every tsrun has, as `network:*` backends resolved by
 * name like any other (registered by the engine itself, origin
 * `@tsrun/core`): `none`, a network namespace of the container's own with
 * only a loopback, kept at `<runRoot>/netns/<id>` from start to removal
 * (each start makes a fresh one, as Docker makes a new sandbox); and
 * `host`, the host's network (no namespace).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { createNetns, removeNetns } from '@tsrun/native'
import type { NetworkBackend, NetworkPrepared, NetworkRequest } from '../backends/network'

export class NoneNetwork implements NetworkBackend {
  async prepare(req: NetworkRequest): Promise<NetworkPrepared> {
    const netnsPath = path.join(req.netnsDir, req.containerId)
    // A namespace left by an earlier start (or a start a kill cut short) goes first.
    removeNetns(netnsPath)
    fs.mkdirSync(req.netnsDir, { recursive: true, mode: 0o700 })
    createNetns(netnsPath)
    return { netnsPath, attachment: { network: 'none' } }
  }

  async teardown(req: NetworkRequest): Promise<void> {
    removeNetns(path.join(req.netnsDir, req.containerId))
  }
}

export class HostNetwork implements NetworkBackend {
  async prepare(): Promise<NetworkPrepared> {
    return { attachment: { network: 'host' } }
  }

  async teardown(): Promise<void> {}
}
