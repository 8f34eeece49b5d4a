import * as fs from 'node:fs'
import * as os from 'node:os'
import { probeHost } from '@tsrun/native'
import type { IsolationBackend } from '../backends/isolation'
import { hasControl } from '../backends/isolation-control'
import type { ConfigSetting, ConfigSource } from '../config'
import { JOURNALD_SOCKET, LOG_DRIVERS } from '../containers/host-options'
import type { Engine } from '../engine'
import { engineBuild, operatingSystem } from './runtime-info'

/**
 * Everything the isolation backend may be asked to enforce, by the names
 * its `unenforceable()` answers; what it does not name, it can enforce.
 */
const PROBE_RESOURCES = {
  memory: { limit: 1 << 30, swap: 2 << 30, reservation: 1 << 29, disableOOMKiller: true },
  cpu: { shares: 1024, quota: 50_000, period: 100_000, cpus: '0' },
  pids: { limit: 100 },
  blockIO: { weight: 500, throttleReadBpsDevice: [{ major: 0, minor: 0, rate: 1 }] },
}

/** Docker's info fields for each controller name, and its warning when one is missing (cgroup v1 wording). */
const CONTROLLERS: Array<{ name: string; fields: string[]; warning: string }> = [
  { name: 'memory', fields: ['MemoryLimit'], warning: 'No memory limit support' },
  { name: 'memory swap', fields: ['SwapLimit'], warning: 'No swap limit support' },
  { name: 'oom kill disable', fields: ['OomKillDisable'], warning: 'No oom kill disable support' },
  { name: 'cpu', fields: ['CpuCfsPeriod', 'CpuCfsQuota', 'CPUShares'], warning: 'No cpu cfs quota support' },
  { name: 'cpuset', fields: ['CPUSet'], warning: 'No cpuset support' },
  { name: 'pids', fields: ['PidsLimit'], warning: 'No pids limit support' },
  { name: 'blkio weight', fields: ['BlkioWeight'], warning: 'No blkio weight support' },
  { name: 'blkio throttle', fields: ['BlkioDeviceLimits'], warning: 'No blkio throttle support' },
]

/** One setting of the engine's config and where its value came from (flag > env > config file > default). */
export interface ConfigEntry {
  Setting: ConfigSetting
  Value: string
  Source: ConfigSource
}

/**
 * `tsrun info` as Docker's `docker info` object (its field names, so
 * `--format '{{.CgroupVersion}}'` works), plus tsrun's own: the run root,
 * the registered backends, the cgroup layout and enforceable controllers,
 * and each setting with its source. Containers are counted by their state
 * now; nothing is changed.
 */
export async function systemInfo(engine: Engine, opts: { debug?: boolean } = {}): Promise<Record<string, unknown>> {
  const cfg = engine.config
  const views = await engine.containers.list(true)
  const running = views.filter((v) => v.state.status === 'running')
  const paused = running.filter((v) => v.state.paused).length
  const host = probeHost()
  const backend = engine.backends.resolve<IsolationBackend>('isolation', cfg.isolation)
  const missing = new Set(hasControl(backend) ? backend.unenforceable(PROBE_RESOURCES) : CONTROLLERS.map((c) => c.name))
  const limits: Record<string, boolean> = {}
  const enforceable: string[] = []
  const warnings: string[] = []
  for (const c of CONTROLLERS) {
    const ok = !missing.has(c.name)
    for (const f of c.fields) limits[f] = ok
    if (ok) enforceable.push(c.name)
    else warnings.push(`WARNING: ${c.warning}`)
  }
  const build = engineBuild()
  const names = (kind: Parameters<Engine['backends']['names']>[0]) => engine.backends.names(kind).sort()
  const logDrivers = LOG_DRIVERS.filter((d) => d !== 'journald' || fs.existsSync(JOURNALD_SOCKET))
  const sources = cfg.sources ?? {}
  const config: ConfigEntry[] = (['root', 'runRoot', 'isolation', 'storageDriver'] as const).map((k) => ({ Setting: k, Value: String(cfg[k]), Source: sources[k] ?? 'default' }))
  return {
    Containers: views.length,
    ContainersRunning: running.length - paused,
    ContainersPaused: paused,
    ContainersStopped: views.length - running.length,
    Images: engine.images.list().length,
    Driver: cfg.storageDriver,
    DriverStatus: [['Root Dir', engine.paths.storage(cfg.storageDriver)]],
    Plugins: { Volume: names('volume'), Network: ['host', 'none'], Authorization: null, Log: logDrivers },
    ...limits,
    Debug: Boolean(opts.debug),
    LoggingDriver: 'json-file',
    CgroupDriver: host.cgroup === 'none' ? 'none' : 'cgroupfs',
    // Docker reports a hybrid host as version 1: its limits go through the v1 hierarchies.
    CgroupVersion: host.cgroup === 'v2' ? '2' : host.cgroup === 'none' ? '' : '1',
    KernelVersion: build.kernelVersion,
    OperatingSystem: operatingSystem(),
    OSType: 'linux',
    Architecture: os.machine(),
    IndexServerAddress: 'https://index.docker.io/v1/',
    NCPU: os.availableParallelism(),
    MemTotal: os.totalmem(),
    DockerRootDir: cfg.root,
    Name: os.hostname(),
    ServerVersion: build.version,
    // Named backends only: a family's label (`/PATH/TO/OCI-RUNTIME`) is no runtime of its own.
    Runtimes: Object.fromEntries(names('isolation').filter((n) => !n.startsWith('/')).map((n) => [n, n === 'native' ? { path: build.runtime.path } : {}])),
    DefaultRuntime: cfg.isolation,
    InitBinary: 'tsrun-init',
    SecurityOptions: ['name=seccomp,profile=builtin', 'name=cgroupns'],
    Warnings: warnings,
    // tsrun's own.
    RunRoot: cfg.runRoot,
    CgroupLayout: host.cgroup,
    CgroupControllers: host.v1Controllers,
    EnforceableLimits: enforceable,
    Backends: { isolation: names('isolation'), storage: names('storage'), volume: names('volume'), 'image-source': names('image-source'), network: names('network') },
    // Each backend's interface version, capabilities and plugin (the registrations of the plugin API).
    BackendDetails: (['isolation', 'storage', 'volume', 'image-source', 'network'] as const).flatMap((kind) =>
      engine.backends.describe(kind).map((d) => ({ Kind: d.kind, Name: d.name, Version: d.version, Capabilities: d.capabilities, Plugin: d.origin })),
    ),
    Config: config,
  }
}
