import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import type { IsolationBackend, RuntimeHandle, RuntimeState } from '../backends/isolation'
import type { BackendRegistry } from '../backends/registry'
import type { StorageDriver } from '../backends/storage'
import type { EngineConfig } from '../config'
import { Paths } from '../config'
import { ConflictError, InvalidArgumentError, TsrunError } from '../errors'
import type { ImageStore } from '../images/image-store'
import { directorySize } from '../images/disk-usage'
import { familiarString, parseReference } from '../images/reference'
import { newId, shortId } from '../util/ids'
import { attachMounts, planMounts } from '../volumes/container-mounts'
import { dockerMountConfig } from '../volumes/mount-config'
import { VolumeService } from '../volumes/volume-service'
import { ContainerStore } from './container-store'
import type { CreateOptions } from './create-options'
import { unenforceableLimits } from './container-control'
import { defaultPlatform, formatPlatform, platformMismatch } from '../registry/platform'
import { buildRuntimeSpec, EtcFiles, hostsFile } from './oci-spec'
import { decideProcess } from './process-spec'
import type { ContainerRecord } from './record'
import { EventJournal } from './events'
import { clearStopRequest, requestStop } from './restart-policy'
import { parseSignal, signalNumber } from './signals'
import { waitUntil } from './wait-until'

/** A container with its runtime state, as `ps` and `inspect` need it. */
export interface ContainerView {
  record: ContainerRecord
  state: RuntimeState
}

/**
 * The container lifecycle: create, start, stop, kill, wait, remove. Policy
 * lives here (names, defaults, the state machine); the isolation backend only
 * runs bundles and the storage driver only makes rootfs.
 */
export class ContainerService {
  readonly store: ContainerStore
  /** `<root>/events.log` (events.ts). */
  readonly events: EventJournal
  /** Volumes live next to containers: a container's mounts keep its volumes in use. */
  readonly volumes: VolumeService
  private readonly paths: Paths

  constructor(private readonly config: EngineConfig, private readonly backends: BackendRegistry, private readonly images: ImageStore) {
    this.paths = new Paths(config)
    this.store = new ContainerStore(this.paths)
    this.events = new EventJournal(path.join(config.root, 'events.log'))
    this.volumes = new VolumeService(this.paths, backends, this.store)
  }

  /** Make a container: record, rootfs and bundle. Nothing is left behind when it fails. */
  async create(opts: CreateOptions): Promise<ContainerRecord> {
    const isolationName = opts.isolation ?? this.config.isolation
    const storageName = opts.storageDriver ?? this.config.storageDriver
    this.backends.assertKnown('isolation', isolationName)
    const storage = this.backends.resolve<StorageDriver>('storage', storageName)
    if (opts.network !== 'none' && opts.network !== 'host') {
      throw new InvalidArgumentError(`network "${opts.network}" is not available: use --network none (the default) or --network host`)
    }
    this.images.init()
    const image = this.images.resolve(opts.image)
    const foreign = opts.platform ? undefined : platformMismatch(opts.image, image.config, defaultPlatform())
    if (foreign && opts.onWarning) {
      const have = formatPlatform({ os: image.config.os, architecture: image.config.architecture, variant: image.config.variant })
      opts.onWarning(`The requested image's platform (${have}) does not match the detected host platform (${formatPlatform(defaultPlatform())}) and no specific platform was requested`)
    }
    if (opts.resources && opts.onWarning) {
      for (const w of unenforceableLimits(this.backends.resolve<IsolationBackend>('isolation', isolationName), opts.resources)) opts.onWarning(w)
    }
    const id = newId()
    const hostname = opts.hostname ?? (opts.network === 'host' ? os.hostname() : shortId(id))
    const proc = decideProcess(opts, image.config.config ?? {}, hostname)
    const mountPlan = planMounts(opts.mounts ?? {}, Object.keys(image.config.config?.Volumes ?? {}), this.store, this.volumes)
    const { Volumes, ...mountConfig } = dockerMountConfig(opts.mounts ?? {}, Object.keys(image.config.config?.Volumes ?? {}))
    const mounting = mountPlan.requests.length + mountPlan.inherited.length > 0

    const dir = this.store.dir(id)
    this.store.reclaim()
    this.store.sweepLegacyAbandoned()
    fs.mkdirSync(this.paths.containers, { recursive: true })
    // Marked before the directory exists and unmarked after the record: a
    // kill anywhere in between leaves a marker naming a dead pid, which the
    // next call reclaims (container-store.ts).
    this.store.creating.mark(id)
    let name: string | undefined
    let rootfsMade = false
    let unlockVolumes: (() => void) | undefined
    const createdVolumes: string[] = []
    try {
      fs.mkdirSync(dir, { mode: 0o700 })
      name = this.store.names.reserve(id, opts.name)
      await storage.prepareLayers(image.layers)
      const rootfs = await storage.createRootfs(id, image.layers, dir)
      rootfsMade = true
      // Held until the record is saved: `volume rm` must not slip in between.
      if (mounting) unlockVolumes = await this.volumes.lock()
      const mounts = mounting ? await attachMounts(mountPlan, this.volumes, { containerId: id, rootfs, created: createdVolumes }) : undefined
      const rec: ContainerRecord = {
        id,
        name,
        created: new Date().toISOString(),
        image: displayImageName(opts.image),
        imageId: image.id,
        path: proc.path,
        args: proc.args,
        config: {
          Hostname: hostname,
          User: proc.user,
          Env: proc.env,
          Cmd: proc.cmd,
          Entrypoint: proc.entrypoint,
          WorkingDir: proc.workdir,
          Image: displayImageName(opts.image),
          Tty: opts.tty,
          OpenStdin: opts.stdin,
          Labels: { ...(image.config.config?.Labels ?? {}), ...opts.labels },
          StopSignal: image.config.config?.StopSignal,
          Volumes,
        },
        hostConfig: { NetworkMode: opts.network as 'none' | 'host', AutoRemove: opts.autoRemove, Isolation: isolationName, StorageDriver: storageName, ...opts.resources, ...(opts.init ? { Init: true } : {}), ...opts.hostOptions, ...mountConfig },
        layers: image.layers,
        rootfs,
        cgroupsPath: `tsrun/${id}`,
        ...(mounts ? { mounts } : {}),
      }
      const etc = this.writeEtcFiles(dir, rec)
      fs.mkdirSync(path.join(dir, 'bundle'))
      fs.writeFileSync(path.join(dir, 'bundle', 'config.json'), JSON.stringify(buildRuntimeSpec(rec, etc), null, 2))
      this.store.save(rec)
      this.store.creating.unmark(id)
      this.events.emit('create', rec)
      return rec
    } catch (err) {
      if (unlockVolumes) await this.volumes.undoCreated(createdVolumes)
      if (rootfsMade) await storage.removeRootfs(id, dir).catch(() => undefined)
      fs.rmSync(dir, { recursive: true, force: true })
      if (name) this.store.names.release(name, id)
      this.store.creating.unmark(id)
      throw err
    } finally {
      unlockVolumes?.()
    }
  }

  /**
   * Start a created or exited container. `attach`: stream its stdio here and
   * resolve with its exit code; otherwise resolve once PID 1 runs.
   */
  async start(rec: ContainerRecord, attach: boolean): Promise<number> {
    const isolation = this.isolationOf(rec)
    const state = await isolation.state(this.handle(rec))
    if (state.status === 'running') {
      if (attach) throw new ConflictError(`container ${rec.name} is already running; use tsrun logs -f ${rec.name} to follow it`)
      return 0
    }
    fs.rmSync(path.join(this.store.dir(rec.id), 'shim.json'), { force: true })
    clearStopRequest(this.store.dir(rec.id))
    if (attach) this.events.emit('start', rec)
    const exitCommand = rec.hostConfig.AutoRemove && !attach ? this.selfCommand('rm', '-f', rec.id) : undefined
    const result = await isolation.start({
      id: rec.id,
      bundleDir: path.join(this.store.dir(rec.id), 'bundle'),
      stateDir: this.store.dir(rec.id),
      detach: !attach,
      stdin: rec.config.OpenStdin,
      tty: rec.config.Tty,
      exitCommand,
    })
    if (!attach) this.events.emit('start', rec)
    return result.exitCode
  }

  async state(rec: ContainerRecord): Promise<RuntimeState> {
    return this.isolationOf(rec).state(this.handle(rec))
  }

  async list(all: boolean): Promise<ContainerView[]> {
    const views: ContainerView[] = []
    for (const record of this.store.list()) {
      const state = await this.state(record)
      if (all || state.status === 'running') views.push({ record, state })
    }
    return views
  }

  /** Send `signal` to PID 1 of a running container. */
  async kill(rec: ContainerRecord, signal: string): Promise<void> {
    const sig = parseSignal(signal)
    const state = await this.state(rec)
    if (state.status !== 'running') throw new ConflictError(`cannot kill container ${rec.name}: it is not running`)
    // As Docker: a container the user killed is not restarted by its policy.
    requestStop(this.store.dir(rec.id))
    this.events.emit('kill', rec, { signal: String(signalNumber(sig)) })
    await this.isolationOf(rec).signal(this.handle(rec), sig).catch(ignoreNotRunning)
  }

  /** The stop signal, then SIGKILL after `timeoutSec`; resolves once it has exited. */
  async stop(rec: ContainerRecord, timeoutSec: number): Promise<void> {
    if ((await this.state(rec)).status !== 'running') return
    const isolation = this.isolationOf(rec)
    const signal = parseSignal(rec.config.StopSignal ?? 'SIGTERM')
    requestStop(this.store.dir(rec.id))
    this.events.emit('kill', rec, { signal: String(signalNumber(signal)) })
    await isolation.signal(this.handle(rec), signal).catch(ignoreNotRunning)
    const exited = await waitUntil(async () => (await this.state(rec)).status !== 'running', timeoutSec * 1000)
    if (!exited) {
      await isolation.signal(this.handle(rec), 'SIGKILL').catch(ignoreNotRunning)
      await this.wait(rec)
    }
    this.events.emit('stop', rec)
  }

  /** Resolves with the exit code once the container is not running. */
  async wait(rec: ContainerRecord): Promise<number> {
    let state = await this.state(rec)
    await waitUntil(async () => {
      state = await this.state(rec)
      return state.status !== 'running'
    }, Infinity, this.store.dir(rec.id))
    return state.exitCode ?? 0
  }

  /**
   * Remove a container; a running one only with `force` (killed first). Its
   * anonymous volumes go too with `removeVolumes` (`rm -v`; always for `--rm`).
   */
  async remove(rec: ContainerRecord, force: boolean, removeVolumes = rec.hostConfig.AutoRemove): Promise<void> {
    const state = await this.state(rec)
    if (state.status === 'running') {
      if (!force) {
        throw new ConflictError(`cannot remove container ${rec.name}: it is running; stop it first (tsrun stop ${rec.name}) or use rm -f`)
      }
      requestStop(this.store.dir(rec.id))
      await this.isolationOf(rec).signal(this.handle(rec), 'SIGKILL').catch(ignoreNotRunning)
      await this.wait(rec)
    }
    // Each step can be done again: a kill at any point leaves the record in
    // place (so `rm` again finishes) until the last step takes it away.
    await this.isolationOf(rec).cleanup(this.handle(rec))
    const storage = this.backends.resolve<StorageDriver>('storage', rec.hostConfig.StorageDriver)
    await storage.removeRootfs(rec.id, this.store.dir(rec.id))
    await this.volumes.release(rec.mounts ?? [], rec.id, removeVolumes)
    if (this.store.delete(rec)) this.events.emit('destroy', rec)
  }

  /**
   * Docker's container sizes (`ps -s`): `rw`, the bytes of its writable
   * layer as its storage driver counts them (the whole container directory
   * for a driver that cannot tell), and `rootFs`, that plus its image.
   */
  async sizes(rec: ContainerRecord): Promise<{ rw: number; rootFs: number }> {
    const storage = this.backends.resolve<StorageDriver>('storage', rec.hostConfig.StorageDriver)
    const dir = this.store.dir(rec.id)
    const rw = storage.usage ? await storage.usage(rec.id, dir).catch(() => 0) : directorySize(dir)
    const image = this.images.list().find((img) => img.id === rec.imageId)
    return { rw, rootFs: rw + (image?.size ?? 0) }
  }

  handle(rec: ContainerRecord): RuntimeHandle {
    return { id: rec.id, stateDir: this.store.dir(rec.id), cgroupsPath: rec.cgroupsPath }
  }

  logPath(rec: ContainerRecord): string {
    return path.join(this.store.dir(rec.id), 'container.log')
  }

  private isolationOf(rec: ContainerRecord): IsolationBackend {
    return this.backends.resolve<IsolationBackend>('isolation', rec.hostConfig.Isolation)
  }

  /** This CLI again, as the monitor's exit command: `tsrun rm -f --root R --runroot RR ID`. */
  private selfCommand(command: string, ...args: string[]): string[] | undefined {
    if (this.config.selfCommand.length === 0) return undefined
    return [...this.config.selfCommand, command, '--root', this.config.root, '--runroot', this.config.runRoot, ...args]
  }

  private writeEtcFiles(dir: string, rec: ContainerRecord): EtcFiles {
    const etc: EtcFiles = {
      hostname: path.join(dir, 'hostname'),
      hosts: path.join(dir, 'hosts'),
      resolvConf: path.join(dir, 'resolv.conf'),
    }
    fs.writeFileSync(etc.hostname, `${rec.config.Hostname}\n`)
    fs.writeFileSync(etc.hosts, rec.hostConfig.NetworkMode === 'host' ? readOr('/etc/hosts', hostsFile(rec.config.Hostname)) : hostsFile(rec.config.Hostname))
    fs.writeFileSync(etc.resolvConf, readOr('/etc/resolv.conf', ''))
    return etc
  }
}

function readOr(file: string, fallback: string): string {
  try {
    return fs.readFileSync(file, 'utf8')
  } catch {
    return fallback
  }
}

/** `demo:1` stays `demo:1`; an id stays an id. */
function displayImageName(input: string): string {
  try {
    return familiarString(parseReference(input))
  } catch {
    return input
  }
}

function ignoreNotRunning(err: unknown): void {
  if ((err as NodeJS.ErrnoException).code === 'ESRCH') return
  throw err instanceof Error ? err : new TsrunError(String(err))
}
