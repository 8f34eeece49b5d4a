/**
 * Optional abilities of an isolation backend over a *running* container:
 * resource limits, freezing, processes, figures, and running another process
 * in it. A backend that only runs bundles (isolation.ts) still works; the
 * engine answers "isolation backend X cannot pause" for what it lacks.
 *
 * A whole flow, as the CLI drives it for a container `web` started with
 * `tsrun run -d --name web --memory 64m demo:1 sh`:
 *
 *   1. `create` asks `unenforceable({ memory: { limit: 67108864, swap: ... } })`
 *      and prints `WARNING:` for every controller the host lacks.
 *   2. `tsrun update --memory 128m web` → `update(handle, resources)` writes
 *      the new limits into the running container's cgroup.
 *   3. `tsrun pause web` → `freeze(handle, true)`; `paused(handle)` is what
 *      `ps` / `inspect` show; `unpause` → `freeze(handle, false)`.
 *   4. `tsrun exec -it web sh` → `exec(handle, { process, tty: true, ... })`
 *      joins web's namespaces and cgroup, relays the terminal, and resolves
 *      with the exit code of `sh`.
 *   5. `tsrun top web` → `processes(handle)`; `tsrun stats` → `stats(handle)`.
 */
import type { RuntimeHandle } from './isolation'

/** OCI `linux.resources` (memory, cpu, pids), as written into config.json. */
export type OciResources = Record<string, unknown>

/** What `exec` runs, OCI `process`-shaped plus the user as typed. */
export interface ExecRequest {
  /** OCI process: args, env, cwd, terminal, capabilities, user {uid, gid}. */
  process: Record<string, unknown>
  /** `-u` value or the container's user, resolved inside the container (`nobody`, `1000:1000`). */
  user: string
  /** Return once the process runs (`-d`) instead of relaying stdio and waiting. */
  detach: boolean
  /** Keep stdin open (`-i`). */
  stdin: boolean
  /** The container's bundle directory (config.json: namespaces, cgroupsPath). */
  bundleDir: string
  /** Foreground with a TTY and stdin: these bytes detach the terminal, leaving the process running (exec resolves 0). */
  detachKeys?: Uint8Array
}

/** A container's figures at one instant (absent = the host cannot tell). */
export interface CgroupFigures {
  cpuUsageNs?: number
  memoryUsage?: number
  /** Absent when unlimited. */
  memoryLimit?: number
  pids?: number
  blkRead?: number
  blkWrite?: number
}

export interface IsolationControl {
  /** Controllers this host cannot enforce for `resources` (`memory`, `memory swap`, `cpu`, `cpuset`, `pids`). */
  unenforceable(resources: OciResources): string[]
  /** Apply new limits to the running container; answers the unenforceable ones. */
  update(handle: RuntimeHandle, resources: OciResources): Promise<string[]>
  /** Freeze (true) or thaw (false) every process; resolves once done. */
  freeze(handle: RuntimeHandle, frozen: boolean): Promise<void>
  paused(handle: RuntimeHandle): Promise<boolean>
  /** Host pids of every process in the container. */
  processes(handle: RuntimeHandle): Promise<number[]>
  stats(handle: RuntimeHandle): Promise<CgroupFigures>
  /**
   * Run a process inside the container (all its namespaces, its cgroup).
   * Foreground: stdio relayed, resolves with its exit code (126/127 when it
   * cannot be invoked). Detached: resolves 0 once it was exec'ed. Rejects
   * with ContainerStartError when the exec could not be set up.
   */
  exec(handle: RuntimeHandle, req: ExecRequest): Promise<number>
}

/** Whether a backend offers these abilities (all of them or none). */
export function hasControl(backend: object): backend is IsolationControl {
  const b = backend as Partial<IsolationControl>
  return typeof b.freeze === 'function' && typeof b.exec === 'function' && typeof b.update === 'function'
}
