/**
 * Isolation backends turn an OCI bundle into running processes.
 *
 * A whole flow, as `tsrun run -d --name web demo:1 sh` drives it:
 *
 *   1. The engine writes `<container>/bundle/config.json` (OCI runtime spec)
 *      and asks the storage driver for the rootfs (see storage.ts).
 *   2. `start({ id, bundleDir, stateDir, detach: true, ... })` returns once the
 *      user's process has been exec'ed as PID 1. A monitor process (not the
 *      caller) stays the container's parent, records its exit and writes its
 *      logs into `stateDir`.
 *   3. `signal(handle, 'SIGTERM')` and `state(handle)` let the engine stop it
 *      and watch it, from any later `tsrun` call.
 *   4. `cleanup(handle)` removes what the runtime still holds (cgroups) after
 *      the container stopped, even if the monitor itself was killed.
 *
 * The backend never decides policy (names, defaults, restart): that is the
 * engine's. It must never fork the Node process to run code (see DESIGN.md).
 */

/** What to start. Paths are absolute. */
export interface StartRequest {
  id: string
  /** Holds config.json. */
  bundleDir: string
  /** Where the runtime writes its state file and `container.log`. */
  stateDir: string
  /** Return once PID 1 runs (true), or stream stdio and wait for its exit (false). */
  detach: boolean
  /** Keep stdin open to the container (`-i`). */
  stdin: boolean
  /** The container has a TTY (`-t`): a foreground start then shares the caller's terminal. */
  tty: boolean
  /**
   * Run after the container exits, by the monitor (e.g. `tsrun rm -f ID` for
   * `--rm -d`). In the foreground only once the terminal detached: until
   * then the caller acts on the exit itself.
   */
  exitCommand?: string[]
  /**
   * Foreground with a TTY and stdin: these bytes typed on the terminal
   * detach it (Docker's detach keys); the container goes on under its
   * monitor, which can be attached to from then on, and `start` resolves
   * with `detached`.
   */
  detachKeys?: Uint8Array
  /** Foreground: which of the caller's streams the output goes to (`run -a`); absent: both. The log gets all of it. */
  attach?: { stdout: boolean; stderr: boolean }
}

/** Result of `start`: for a foreground start, how the container ended. */
export interface StartResult {
  /** Foreground: the container's exit code (128+N for signal N). Detached: 0. */
  exitCode: number
  /** A foreground start whose terminal detached (the container runs on). */
  detached?: boolean
}

/** The runtime's view of a container, read from its state dir. */
export interface RuntimeState {
  status: 'created' | 'running' | 'exited'
  /** Host pid of the container's PID 1 while running. */
  pid?: number
  startedAt?: string
  finishedAt?: string
  exitCode?: number
  oomKilled?: boolean
  /** Running but frozen (`tsrun pause`); only backends with IsolationControl set it. */
  paused?: boolean
  /** Why the start failed, when it did. */
  error?: string
  /** Times the runtime's restart policy started it again (Docker's RestartCount). */
  restartCount?: number
  /** Between two runs under a restart policy (status stays `running`: the monitor lives). */
  restarting?: boolean
}

/** Enough for a backend to find a container again in a later process. */
export interface RuntimeHandle {
  id: string
  stateDir: string
  /** Cgroup path given in the bundle (`linux.cgroupsPath`). */
  cgroupsPath: string
}

export interface IsolationBackend {
  /**
   * Create and start the container. Rejects with ContainerStartError (exit
   * code 125/126/127 and the runtime's one-line reason) when PID 1 could not be
   * exec'ed; nothing of the attempt is left running.
   */
  start(req: StartRequest): Promise<StartResult>
  /** Deliver a signal (name like `SIGTERM` or number) to PID 1. ESRCH when not running. */
  signal(handle: RuntimeHandle, signal: string | number): Promise<void>
  /** Current state; a container whose monitor vanished is reported exited. */
  state(handle: RuntimeHandle): Promise<RuntimeState>
  /** Kill whatever is left and remove runtime resources. Idempotent. */
  cleanup(handle: RuntimeHandle): Promise<void>
}
