import type { LayerRef, RootfsSpec } from '../backends/storage'
import type { MountPoint } from '../volumes/mount-point'
import type { HostOptions } from './host-options'
import type { ResourceLimits } from './resources'

/** The container's runtime config, in Docker's inspect shape (`Config`). */
export interface ContainerConfig {
  Hostname: string
  User: string
  Env: string[]
  Cmd: string[] | null
  Entrypoint: string[] | null
  WorkingDir: string
  Image: string
  Tty: boolean
  OpenStdin: boolean
  Labels: Record<string, string>
  StopSignal?: string
  /** Anonymous `-v DST` and the image's VOLUMEs (absent in records made before it was kept). */
  Volumes?: Record<string, Record<string, never>> | null
}

/** Host-side choices (`HostConfig`); the resource limits change with `tsrun update`; security, restart and log options (host-options.ts). */
export interface ContainerHostConfig extends ResourceLimits, HostOptions {
  NetworkMode: 'none' | 'host'
  AutoRemove: boolean
  Isolation: string
  StorageDriver: string
  /** `--init`: the runtime's reaper runs as PID 1 and execs nothing itself. */
  Init?: boolean
  /** The mount flags as Docker records them (volumes/mount-config.ts); absent in records made before they were kept. */
  Binds?: string[] | null
  Tmpfs?: Record<string, string>
  VolumesFrom?: string[] | null
}

/**
 * What `create` decides, once, for a container: written atomically to
 * `containers/<id>/container.json` and never rewritten but by rename.
 * Runtime facts (pid, exit code) live in the runtime's state file instead, so
 * the monitor never has to touch this record.
 */
export interface ContainerRecord {
  id: string
  name: string
  created: string
  /** The image as the user named it (`demo:1`). */
  image: string
  /** `sha256:` config digest. */
  imageId: string
  /** The process started as PID 1. */
  path: string
  args: string[]
  config: ContainerConfig
  hostConfig: ContainerHostConfig
  layers: LayerRef[]
  rootfs: RootfsSpec
  cgroupsPath: string
  /** Volumes, binds and tmpfs, parents first (absent in records made before volumes existed). */
  mounts?: MountPoint[]
}
