/**
 * Volume drivers manage named storage that outlives containers.
 *
 * A whole flow, as `tsrun run -v data:/data demo:1` drives it with the
 * `local` driver:
 *
 *   1. `data` does not exist yet: the engine checks the options with
 *      `validate(options)` (bad input creates nothing), reserves
 *      `<root>/volumes/data/` for it, and calls `create({ name, options, dir })`.
 *      `local` makes `dir/_data`. The engine then writes the volume's record
 *      (`dir/volume.json`) last, so a volume without one is half-made.
 *   2. `mount(vol, containerId)` answers how the container sees it: a bind of
 *      `dir/_data` (or of `device` with `-o o=bind`), or a filesystem to mount
 *      (`-o type=tmpfs`). The engine turns that into an OCI mount at `/data`,
 *      which the runtime performs *inside the container's mount namespace*:
 *      nothing is ever mounted on the host.
 *   3. The volume is empty and the image has content at `/data`: the engine
 *      asks `populate(vol, layers, '/data')` to copy it in, ownership and modes
 *      kept (Docker's copy-up; skipped with `nocopy`).
 *   4. `unmount(vol, containerId)` when the container is removed.
 *   5. `remove(vol)` on `tsrun volume rm` (the engine refuses while a
 *      container uses it) and `usage(vol)` for `volume ls`/`system df`.
 *
 * The engine owns the records, names, in-use tracking and policy; a driver
 * owns only the bytes. Every method but `validate` may be slow (it is async).
 */
import type { MountSpec } from './storage'

/** What `tsrun volume create -d NAME -o K=V` asks the driver for. */
export interface VolumeCreateRequest {
  name: string
  /** `-o` options, already passed through `validate`. */
  options: Record<string, string>
  /** A directory that exists, is empty and belongs to this volume alone. */
  dir: string
}

/** A volume as the driver sees it again later: what create was given. */
export interface VolumeRef {
  name: string
  options: Record<string, string>
  dir: string
}

/** What `create` answers. */
export interface VolumeCreated {
  /** Where the data lives on the host, as `volume inspect` shows it (`Mountpoint`). */
  mountpoint: string
}

export interface VolumeDriver {
  /**
   * Throw InvalidArgumentError naming the option when `options` are not
   * ones this driver understands. Pure: nothing may be created.
   */
  validate(options: Record<string, string>): void
  /** Make the volume's storage under `req.dir`. Nothing is left behind when it throws. */
  create(req: VolumeCreateRequest): Promise<VolumeCreated>
  /**
   * How a container sees the volume: a `bind` of a host directory, or a
   * filesystem the runtime mounts (`tmpfs`, `nfs`, ...). Called at container
   * create; the engine adds the destination and the user's mount options.
   */
  mount(vol: VolumeRef, containerId: string): Promise<MountSpec>
  /** The container that mounted it is removed. Idempotent. */
  unmount(vol: VolumeRef, containerId: string): Promise<void>
  /** Delete the volume's storage. Idempotent. */
  remove(vol: VolumeRef): Promise<void>
  /**
   * Copy `subpath` of the image (its layer directories, top first, overlay
   * whiteouts honoured) into the volume when the volume is empty; keep
   * ownership, modes, xattrs and symlinks; never follow a symlink. Answers
   * whether anything was copied. Optional: without it there is no copy-up.
   */
  populate?(vol: VolumeRef, layers: string[], subpath: string): Promise<boolean>
  /** Bytes the volume holds, when the driver can tell (`-1` when it cannot). */
  usage?(vol: VolumeRef): Promise<number>
}
