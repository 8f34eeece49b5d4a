/**
 * Optional ability of an isolation backend: copy files between the host and
 * a container's filesystem (`tsrun cp`), running or not.
 *
 * A whole flow, as `tsrun cp web:/etc/motd ./motd` drives it:
 *
 *   1. The engine finds `web`, reads its state, and asks
 *      `copy({ bundleDir, pid, direction: 'out', containerPath: '/etc/motd', hostPath: '/home/me/motd' })`
 *      with `pid` set while it runs.
 *   2. The backend reaches the container's filesystem as its processes see
 *      it, volumes included: a running one through its PID 1's root, a
 *      stopped one by assembling its rootfs and binds in a private mount
 *      namespace that dies with the copy (never in the host's).
 *   3. Paths inside the container resolve inside its root: a symlink there,
 *      absolute or not, can never lead the copy out to the host.
 *
 * It rejects with an Error whose message is one line naming the path.
 */
export interface CopyRequest {
  /** The container's bundle (config.json: rootfs and mounts). */
  bundleDir: string
  /** Host pid of PID 1 while the container runs. */
  pid?: number
  /** `out`: container -> host; `in`: host -> container. */
  direction: 'in' | 'out'
  /** Absolute path inside the container (`/.` suffix: a directory's contents). */
  containerPath: string
  /**
   * Absolute host path, as typed otherwise (trailing `/` and `/.` kept); or
   * `-`, a tar stream: written to the backend's inherited stdout (`out`),
   * read from its stdin and unpacked into the directory `containerPath` (`in`).
   */
  hostPath: string
  /** `cp -a`: keep the source's uid/gid when copying in (else root owns the copy). */
  archive: boolean
  /** `cp -L`: a symlink named as the source is copied as what it points to. */
  followLink?: boolean
}

export interface IsolationCopy {
  copy(req: CopyRequest): Promise<void>
}

/** Whether a backend has the copy ability. */
export function canCopy(backend: unknown): backend is IsolationCopy {
  return typeof (backend as Partial<IsolationCopy>).copy === 'function'
}
