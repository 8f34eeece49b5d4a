import type { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { RootfsChange, RootfsChanges, TarStream } from '../backends/rootfs-changes'
import { hasRootfsChanges } from '../backends/rootfs-changes'
import type { StorageDriver } from '../backends/storage'
import type { BackendRegistry } from '../backends/registry'
import { InvalidArgumentError, TsrunError } from '../errors'
import { checkOutputPath, writeFileWhole, writeStreamWhole } from '../images/archive/save-to-file'
import { applyDockerfileChanges } from '../images/dockerfile-change'
import type { ImageService } from '../images/image-service'
import type { StoredImage } from '../images/image-store'
import type { ImageRuntimeConfig } from '../images/oci'
import { parseReference } from '../images/reference'
import type { ContainerControl } from './container-control'
import type { ContainerService } from './container-service'
import { ENGINE_FILE_MOUNTS } from './oci-spec'
import type { ContainerRecord } from './record'

/** `commit`'s options as the CLI takes them. */
export interface ContainerCommitOptions {
  author?: string
  message?: string
  /** `-c/--change`: Dockerfile instructions (dockerfile-change.ts). */
  changes?: string[]
  /** `-p/--pause` (Docker's default: true): freeze a running container while its changes are read. */
  pause: boolean
  /** `REPO[:TAG]`; none leaves the image unnamed. */
  reference?: string
}

/**
 * `diff`, `export` and `commit`: a container's filesystem read from the
 * host through its storage driver's RootfsChanges ability (running or
 * not). Policy lives here (which container, pausing, the new image's
 * config); the driver does the reading, the image service the storing.
 */
export class ContainerFilesystem {
  constructor(
    private readonly containers: ContainerService,
    private readonly images: ImageService,
    private readonly control: ContainerControl,
    private readonly backends: BackendRegistry,
  ) {}

  /** `docker diff`: the changes in Docker's order. */
  async diff(ref: string): Promise<RootfsChange[]> {
    const rec = this.containers.store.get(ref)
    return this.reader(rec).changes(rec.id, rec.layers, this.containers.store.dir(rec.id), { mountTargets: ENGINE_FILE_MOUNTS })
  }

  /** `docker export`: the whole filesystem as a tar (the container's volumes and mounts not included, as Docker's). */
  async export(ref: string): Promise<TarStream> {
    const rec = this.containers.store.get(ref)
    return this.reader(rec).exportRootfs(rec.id, rec.layers, this.containers.store.dir(rec.id))
  }

  /**
   * `docker export` written out: to `out`, a file (whole or not at all,
   * as `save -o`) or a stream (stdout; `outFd` names the file behind it in
   * errors). A failure names the container and what failed.
   */
  async exportTo(ref: string, out: string | Writable, outFd?: number): Promise<void> {
    if (typeof out === 'string') checkOutputPath(out)
    const rec = this.containers.store.get(ref)
    const write = async (stream: Writable) => {
      const tar = await this.export(rec.id)
      try {
        await pipeline(tar.stream, stream, { end: false })
      } finally {
        await tar.done.catch((err: Error) => {
          throw new TsrunError(`exporting container ${rec.name}: ${err.message}`)
        })
      }
    }
    if (typeof out === 'string') return writeFileWhole(out, `exporting container ${rec.name}`, write)
    return writeStreamWhole(out, outFd, `exporting container ${rec.name} to stdout`, write)
  }

  /**
   * `docker commit`: a new image, the container's image plus its changes
   * as one layer. A running container is paused meanwhile (unless
   * `pause` is false, or it was paused already) and thawed again whatever
   * happens. Answers the stored image.
   */
  async commit(ref: string, opts: ContainerCommitOptions): Promise<StoredImage> {
    const rec = this.containers.store.get(ref)
    // A bad name fails before anything is paused or written.
    if (opts.reference !== undefined && parseReference(opts.reference).digest) throw new InvalidArgumentError(`cannot commit to a digest (${opts.reference}); give REPO[:TAG]`)
    const reader = this.reader(rec)
    const base = this.baseImage(rec)
    // Bad --change values fail before anything is paused or written.
    const config = applyDockerfileChanges(runtimeConfig(rec, base), opts.changes ?? [])
    const thaw = opts.pause ? await this.freeze(rec) : undefined
    try {
      const layer = await reader.changesLayer(rec.id, rec.layers, this.containers.store.dir(rec.id), { mountTargets: ENGINE_FILE_MOUNTS })
      return await this.images.commitLayer(layer, rec.name, base, { author: opts.author, message: opts.message, config, createdBy: [rec.path, ...rec.args].join(' ') }, opts.reference)
    } finally {
      await thaw?.()
    }
  }

  private reader(rec: ContainerRecord): RootfsChanges {
    const driver = this.backends.resolve<StorageDriver>('storage', rec.hostConfig.StorageDriver)
    if (!hasRootfsChanges(driver)) throw new TsrunError(`storage driver ${rec.hostConfig.StorageDriver} cannot read a container's changes (container ${rec.name})`)
    return driver
  }

  /** The container's image, which must still be here: its layers are the new image's lower ones. */
  private baseImage(rec: ContainerRecord): StoredImage {
    this.images.list()
    const img = this.images.store.list().find((i) => i.id === rec.imageId)
    if (!img) throw new TsrunError(`the image of container ${rec.name} (${rec.imageId}) is no longer here; cannot commit without it`)
    return img
  }

  /**
   * Pause a running, unpaused container; answers how to thaw it. Until
   * then SIGINT, SIGTERM or SIGHUP thaw it first and then end the process
   * by that signal (a Ctrl-C of `commit` never leaves a frozen container);
   * temp files are removed by their own handler meanwhile (temp-files.ts
   * leaves the re-raise to us while we listen).
   */
  private async freeze(rec: ContainerRecord): Promise<(() => Promise<void>) | undefined> {
    const state = await this.containers.state(rec)
    if (state.status !== 'running' || state.paused) return undefined
    await this.control.pause(rec)
    let thawing: Promise<void> | undefined
    const thaw = () => (thawing ??= this.control.unpause(rec))
    const stopListening = () => {
      for (const sig of THAW_SIGNALS) process.removeListener(sig, onSignal)
    }
    const onSignal = (sig: NodeJS.Signals) => {
      void thaw()
        .catch(() => undefined)
        .then(() => {
          stopListening()
          process.kill(process.pid, sig)
        })
    }
    for (const sig of THAW_SIGNALS) process.on(sig, onSignal)
    return async () => {
      stopListening()
      await thaw()
    }
  }
}

/** The signals that end a `commit` (after thawing the container it paused). */
const THAW_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP']

/** The config the container runs with, in the image config's words (Docker's commit starts from it). */
function runtimeConfig(rec: ContainerRecord, base: StoredImage): ImageRuntimeConfig {
  const c = rec.config
  const exposed = base.config.config?.ExposedPorts
  const out: ImageRuntimeConfig = {
    Env: [...c.Env],
    Cmd: c.Cmd ? [...c.Cmd] : null,
    Entrypoint: c.Entrypoint ? [...c.Entrypoint] : null,
  }
  if (c.User) out.User = c.User
  if (c.WorkingDir) out.WorkingDir = c.WorkingDir
  if (Object.keys(c.Labels ?? {}).length) out.Labels = { ...c.Labels }
  if (c.StopSignal) out.StopSignal = c.StopSignal
  if (c.Volumes && Object.keys(c.Volumes).length) out.Volumes = { ...c.Volumes }
  // Ports are the image's until tsrun publishes any (a container adds none of its own).
  if (exposed && Object.keys(exposed).length) out.ExposedPorts = { ...exposed }
  return out
}
