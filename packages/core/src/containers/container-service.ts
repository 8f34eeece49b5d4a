import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import type { IsolationBackend, RuntimeHandle, RuntimeState, StartRequest } from '../backends/isolation'
import type { BackendRegistry } from '../backends/registry'
import type { StorageDriver } from '../backends/storage'
import type { NetworkBackend, NetworkRequest } from '../backends/network'
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
import { readJson, writeJsonAtomic } from '../util/atomic'
import { cgroupsPathFor, donorOf, joinDonors, type Donor } from './namespace-modes'
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
    opts = { ...opts, network: opts.network ?? this.config.network }
    // The CLI checked --sysctl against --network; a configured default network host is only known here.
    const netSysctl = opts.network === 'host' && Object.keys(opts.hostOptions?.Sysctls ?? {}).find((k) => k.startsWith('net.'))
    if (netSysctl) throw new InvalidArgumentError(`--sysctl ${netSysctl}: not allowed with network host (it would change the host)`)
    const isolationName = opts.isolation ?? this.config.isolation
    const storageName = opts.storageDriver ?? this.config.storageDriver
    this.backends.assertKnown('isolation', isolationName)
    const storage = this.backends.resolve<StorageDriver>('storage', storageName)
    if (!this.backends.names('network').includes(opts.network!)) {
      throw new InvalidArgumentError(`network "${opts.network}" is not available: use --network ${this.backends.names('network').join(' or --network ')}`)
    }
    this.images.init()
    const image = this.images.resolve(opts.image)
    const foreign = opts.platform ? undefined : platformMismatch(opts.image, image.config, defaultPlatform())
    if (foreign && opts.onWarning) {
      const have = formatPlatform({ os: image.config.os, architecture: image.config.architecture, variant: image.config.variant })
      opts.onWarning(`The requested image's platform (${have}) does not match the detected host platform (${formatPlatform(defaultPlatform())}) and no specific platform was requested`)
    }
    if (opts.resources?.OomKillDisable && !opts.resources.Memory) {
      // docker/cli's warning, word for word.
      opts.onWarning?.("Disabling the OOM killer on containers without setting a '-m/--memory' limit may be dangerous.")
    }
    if (opts.resources && opts.onWarning) {
      for (const w of unenforceableLimits(this.backends.resolve<IsolationBackend>('isolation', isolationName), opts.resources)) opts.onWarning(w)
    }
    const ns = opts.namespaces ?? {}
    // A container to share namespaces with must exist now (it must run only at start).
    for (const donor of [donorOf(ns.PidMode), donorOf(ns.IpcMode)]) if (donor) this.store.get(donor)
    const id = newId()
    const hostname = opts.hostname ?? (opts.network === 'host' || ns.UTSMode === 'host' ? os.hostname() : shortId(id))
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
          StopSignal: opts.stopSignal ?? image.config.config?.StopSignal,
          ...(opts.stopTimeout !== undefined ? { StopTimeout: opts.stopTimeout } : {}),
          ...attachConfig(opts),
          Volumes,
        },
        hostConfig: { NetworkMode: opts.network as 'none' | 'host', AutoRemove: opts.autoRemove, Isolation: isolationName, StorageDriver: storageName, ...opts.resources, ...(opts.init ? { Init: true } : {}), ...opts.hostOptions, ...mountConfig, ...ns, ...(opts.cidFile ? { ContainerIDFile: opts.cidFile } : {}) },
        layers: image.layers,
        rootfs,
        cgroupsPath: cgroupsPathFor(id, ns),
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
   * resolve with its exit code; otherwise resolve once PID 1 runs. With
   * `attach.detachKeys` the terminal may detach instead (see StartRequest):
   * then `onDetached` is called and this resolves 0, the container running
   * on (a `--rm` one is removed by its monitor when it exits).
   */
  async start(rec: ContainerRecord, attach: boolean, io: { detachKeys?: Uint8Array; onDetached?: () => void } & Partial<NonNullable<StartRequest['attach']>> = {}): Promise<number> {
    const isolation = this.isolationOf(rec)
    const state = await isolation.state(this.handle(rec))
    if (state.status === 'running') {
      if (attach) throw new ConflictError(`container ${rec.name} is already running; use tsrun logs -f ${rec.name} to follow it`)
      return 0
    }
    if (donorOf(rec.hostConfig.PidMode) || donorOf(rec.hostConfig.IpcMode)) await this.pointAtDonors(rec)
    fs.rmSync(path.join(this.store.dir(rec.id), 'shim.json'), { force: true })
    clearStopRequest(this.store.dir(rec.id))
    if (attach) this.events.emit('start', rec)
    const detachKeys = attach && rec.config.Tty && rec.config.OpenStdin ? io.detachKeys : undefined
    const exitCommand = rec.hostConfig.AutoRemove && (!attach || detachKeys) ? this.selfCommand('rm', '-f', '--auto-remove', rec.id) : undefined
    // The network backend makes the namespace the container joins (backends/network.ts).
    const network = this.networkOf(rec)
    const prepared = await network.prepare(this.networkRequest(rec))
    let result: Awaited<ReturnType<IsolationBackend['start']>>
    try {
      this.pointAtNetwork(rec, prepared.netnsPath)
      result = await this.startIsolated(isolation, rec, attach, io, exitCommand, detachKeys)
    } catch (err) {
      await network.teardown(this.networkRequest(rec)).catch(() => undefined)
      throw err
    }
    if (!attach) this.events.emit('start', rec)
    if (result.detached) io.onDetached?.()
    return result.exitCode
  }

  private startIsolated(
    isolation: IsolationBackend,
    rec: ContainerRecord,
    attach: boolean,
    io: Partial<NonNullable<StartRequest['attach']>>,
    exitCommand: string[] | undefined,
    detachKeys: Uint8Array | undefined,
  ): ReturnType<IsolationBackend['start']> {
    return isolation.start({
      id: rec.id,
      bundleDir: path.join(this.store.dir(rec.id), 'bundle'),
      stateDir: this.store.dir(rec.id),
      detach: !attach,
      stdin: rec.config.OpenStdin,
      tty: rec.config.Tty,
      exitCommand,
      detachKeys,
      // -a: which of the caller's streams the output reaches (absent: both).
      ...(attach && (io.stdout !== undefined || io.stderr !== undefined) ? { attach: { stdout: io.stdout !== false, stderr: io.stderr !== false } } : {}),
    })
  }

  /** The container's network backend (`network:none`, `network:host`, or a plugin's). */
  private networkOf(rec: ContainerRecord): NetworkBackend {
    return this.backends.resolve<NetworkBackend>('network', rec.hostConfig.NetworkMode)
  }

  private networkRequest(rec: ContainerRecord): NetworkRequest {
    return { containerId: rec.id, network: rec.hostConfig.NetworkMode, netnsDir: path.join(this.config.runRoot, 'netns'), publish: [] }
  }

  /** The bundle's network namespace joins `netnsPath` (or is made by the runtime when there is none: host has no entry at all). */
  private pointAtNetwork(rec: ContainerRecord, netnsPath: string | undefined): void {
    const file = path.join(this.store.dir(rec.id), 'bundle', 'config.json')
    const spec = readJson<{ linux?: { namespaces?: Array<{ type: string; path?: string }> } }>(file)
    const namespaces = spec?.linux?.namespaces
    const i = namespaces?.findIndex((n) => n.type === 'network') ?? -1
    if (!spec || !namespaces || i < 0) return
    const want = netnsPath ? { type: 'network', path: netnsPath } : { type: 'network' }
    if (namespaces[i].path === want.path) return
    namespaces[i] = want
    writeJsonAtomic(file, spec)
  }

  /**
   * `tsrun container cleanup` (podman's): give back what a stopped
   * container holds besides its files: its network namespace and whatever
   * its network backend set up. Idempotent; refused while it runs.
   */
  async cleanup(rec: ContainerRecord): Promise<void> {
    const state = await this.state(rec)
    if (state.status === 'running') throw new ConflictError(`container ${rec.name} is running: stop it before cleaning it up`)
    await this.networkOf(rec).teardown(this.networkRequest(rec))
  }

  /**
   * `--pid/--ipc container:NAME`: the bundle's joined namespaces point at
   * the donor's PID 1 of now (it changes whenever the donor restarts), as
   * Docker resolves them at each start. Rewritten by rename.
   */
  private async pointAtDonors(rec: ContainerRecord): Promise<void> {
    const file = path.join(this.store.dir(rec.id), 'bundle', 'config.json')
    const spec = readJson<Parameters<typeof joinDonors>[0]>(file)
    if (!spec) throw new TsrunError(`container ${rec.name} has no runtime bundle (${file}): remove it and create it again`)
    const donors = new Map<string, Donor>()
    for (const name of [donorOf(rec.hostConfig.PidMode), donorOf(rec.hostConfig.IpcMode)]) {
      if (!name || donors.has(name)) continue
      const d = this.store.get(name)
      const st = await this.state(d)
      donors.set(name, { name: d.name, pid: st.status === 'running' && !st.restarting ? st.pid : undefined, IpcMode: d.hostConfig.IpcMode })
    }
    writeJsonAtomic(file, joinDonors(spec, rec.hostConfig, (name) => donors.get(name)!))
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

  /**
   * The stop signal (`signal`, else the container's `--stop-signal` or
   * image's, else SIGTERM), then SIGKILL after `timeoutSec` (else the
   * container's `--stop-timeout`, else 10 s); resolves once it has exited.
   */
  async stop(rec: ContainerRecord, timeoutSec?: number, signalName?: string): Promise<void> {
    if ((await this.state(rec)).status !== 'running') return
    const isolation = this.isolationOf(rec)
    const signal = parseSignal(signalName ?? rec.config.StopSignal ?? 'SIGTERM')
    timeoutSec ??= rec.config.StopTimeout ?? 10
    requestStop(this.store.dir(rec.id))
    this.events.emit('kill', rec, { signal: String(signalNumber(signal)) })
    await isolation.signal(this.handle(rec), signal).catch(ignoreNotRunning)
    // A negative timeout waits as long as it takes, as Docker's -t -1.
    const exited = await waitUntil(async () => (await this.state(rec)).status !== 'running', timeoutSec < 0 ? Infinity : timeoutSec * 1000, this.store.dir(rec.id))
    if (!exited) {
      await isolation.signal(this.handle(rec), 'SIGKILL').catch(ignoreNotRunning)
      await this.wait(rec)
    }
    this.events.emit('stop', rec)
  }

  /**
   * `restart`: stop (as `stop` does, with its timeout and signal) when it
   * runs, then start detached, as Docker. An `--rm` container is kept
   * through it: its monitor's exit command finds the keep marker and
   * leaves it (Docker sets AutoRemove aside for the restart).
   */
  async restart(rec: ContainerRecord, timeoutSec?: number, signalName?: string): Promise<void> {
    if (signalName !== undefined) parseSignal(signalName)
    if (rec.hostConfig.AutoRemove && (await this.state(rec)).status === 'running') {
      fs.writeFileSync(path.join(this.store.dir(rec.id), KEEP_ON_EXIT), '')
    }
    await this.stop(rec, timeoutSec, signalName)
    await this.start(rec, false)
    this.events.emit('restart', rec)
  }

  /**
   * The monitor's exit command for `--rm` (`rm -f --auto-remove`): remove
   * the container unless a restart asked to keep it (the marker is used
   * up) or it runs again already. Answers whether it was removed.
   */
  async autoRemove(rec: ContainerRecord): Promise<boolean> {
    const keep = path.join(this.store.dir(rec.id), KEEP_ON_EXIT)
    if (fs.existsSync(keep)) {
      fs.rmSync(keep, { force: true })
      return false
    }
    if ((await this.state(rec)).status === 'running') return false
    await this.remove(rec, true)
    return true
  }

  /**
   * `container prune`: remove every container that is not running (and,
   * with `untilNano`, was created before then). Answers the ids removed
   * and the bytes their directories held.
   */
  async prune(filter: { untilNano?: number } = {}): Promise<{ deleted: string[]; reclaimed: number }> {
    const deleted: string[] = []
    let reclaimed = 0
    for (const v of await this.list(true)) {
      if (v.state.status === 'running') continue
      if (filter.untilNano !== undefined && Date.parse(v.record.created) * 1e6 >= filter.untilNano) continue
      const size = directorySize(this.store.dir(v.record.id))
      await this.remove(v.record, false)
      deleted.push(v.record.id)
      reclaimed += size
    }
    await this.sweepNetworks()
    return { deleted, reclaimed }
  }

  /**
   * Namespaces of containers whose record is gone (a tsrun killed between
   * removing the record and tearing the network down, or the reverse at
   * create): given back to the backend that made them, as none's. A
   * prepared namespace whose container is being created right now has its
   * record already (create writes it before any start), so none is taken
   * from a live container.
   */
  private async sweepNetworks(): Promise<void> {
    const dir = path.join(this.config.runRoot, 'netns')
    let names: string[] = []
    try {
      names = fs.readdirSync(dir)
    } catch {
      return
    }
    const known = new Set(this.store.list().map((r) => r.id))
    const none = this.backends.resolve<NetworkBackend>('network', 'none')
    for (const id of names) if (/^[0-9a-f]{64}$/.test(id) && !known.has(id)) await none.teardown({ containerId: id, network: 'none', netnsDir: dir, publish: [] }).catch(() => undefined)
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
    await this.networkOf(rec).teardown(this.networkRequest(rec))
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

/** A `restart` of an `--rm` container leaves this in its directory for the exit command (see autoRemove). */
const KEEP_ON_EXIT = 'keep-on-exit'

/**
 * `-a/--attach` as Docker records it: the streams asked for; without `-a`,
 * stdout and stderr, and stdin with `-i`.
 */
function attachConfig(opts: CreateOptions): { AttachStdin: boolean; AttachStdout: boolean; AttachStderr: boolean } {
  const a = opts.attach
  if (!a?.length) return { AttachStdin: opts.stdin, AttachStdout: true, AttachStderr: true }
  return { AttachStdin: a.includes('stdin'), AttachStdout: a.includes('stdout'), AttachStderr: a.includes('stderr') }
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
