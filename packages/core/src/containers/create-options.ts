import type { MountInputs } from '../volumes/container-mounts'
import type { HostOptions } from './host-options'
import type { NamespaceOptions } from './namespace-modes'
import type { ResourceLimits } from './resources'

/** What `tsrun create` / `tsrun run` ask for, after flag parsing, before policy. */
export interface CreateOptions {
  image: string
  /** Command and arguments after the image, if any. */
  command: string[]
  name?: string
  hostname?: string
  /** `-e` values, as typed. */
  env: string[]
  envFiles: string[]
  workdir?: string
  /** `--entrypoint`; the empty string clears the image's. */
  entrypoint?: string
  user?: string
  tty: boolean
  stdin: boolean
  /** `--network`; undefined: the configured default (EngineConfig.network). */
  network?: string
  autoRemove: boolean
  isolation?: string
  storageDriver?: string
  labels: Record<string, string>
  /** `--memory`, `--cpus`, ... already checked (see resources.ts). */
  resources?: ResourceLimits
  /** `--init`: a reaper as PID 1 (the runtime's own `tsrun-init`). */
  init?: boolean
  /** `-v`, `--mount`, `--tmpfs`, `--volumes-from`, as typed (see volumes/mount-request.ts). */
  mounts?: MountInputs
  /** Capabilities, seccomp, ulimits, devices, restart policy, log rotation: already checked (host-options.ts). */
  hostOptions?: HostOptions
  /** `--platform` as typed: the image was chosen for it, so no warning when it is not the host's. */
  platform?: string
  /** `--ipc`, `--pid`, `--uts`, `--cgroupns`, `--cgroup-parent`, `--shm-size`: already checked (namespace-modes.ts). */
  namespaces?: NamespaceOptions
  /** `--stop-signal` (checked) and `--stop-timeout` (seconds). */
  stopSignal?: string
  stopTimeout?: number
  /** `-a/--attach` streams (stdin, stdout, stderr); absent: Docker's default. */
  attach?: Array<'stdin' | 'stdout' | 'stderr'>
  /** `--cidfile`: recorded in HostConfig.ContainerIDFile (the CLI writes the file). */
  cidFile?: string
  /** Told about limits the host cannot enforce (`WARNING:` lines in the CLI). */
  onWarning?: (message: string) => void
}
