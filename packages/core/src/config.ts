import * as path from 'node:path'
import { configFilePaths, loadConfigFiles, type FileSettingKey, type LoadedConfigFiles } from './settings/config-file'

/**
 * Where the engine keeps its state, which backends it uses, and the defaults
 * commands start from. Built once per CLI invocation: each setting from its
 * flag, else its environment variable, else the config files (tsrun.conf,
 * see settings/config-file.ts), else the built-in default. `origins` says
 * which of those gave each value, for `info` and for messages.
 */
export interface EngineConfig {
  /** Persistent state: images, layers, containers (`/var/lib/tsrun`). */
  root: string
  /** Volatile state: locks (`/run/tsrun`); under `root` when `root` is not the default. */
  runRoot: string
  /** Default isolation backend name (`native`). */
  isolation: string
  /** Default storage driver name (`overlay`). */
  storageDriver: string
  /** Default `--network` of `run`/`create` (`none`). */
  network: string
  /** Default `--log-driver` of `run`/`create` (`json-file`). */
  logDriver: string
  /** The container monitor binary to run instead of the bundled tsrun-shim; undefined: the bundled one. */
  runtime?: string
  /** Registry defaults; the per-command flags (`--tls-verify`, `--authfile`) come on top. */
  registries: RegistryDefaults
  /** The command that re-enters this CLI, for the monitor's exit command (`--rm -d`). */
  selfCommand: string[]
  /** Where each setting's value came from. */
  origins: Record<SettingName, SettingOrigin>
  /** The same for the four engine settings, in short: what `info` first showed (configReport has the rest). */
  sources: Record<ConfigSetting, ConfigSource>
  /** The config files that were read, in order (later ones won). */
  configFiles: string[]
}

/** Registry settings that are not per command. */
export interface RegistryDefaults {
  /** Hosts where plain HTTP and any certificate are accepted, besides loopback ones. */
  insecure: string[]
  /** The one credentials file to use instead of the default chain (see registry/auth-files.ts). */
  authFile?: string
  /** A registries.conf to read instead of the user's or the system's. */
  registriesConf?: string
}

/** The engine settings `sources` covers. */
export type ConfigSetting = 'root' | 'runRoot' | 'isolation' | 'storageDriver'

/** A setting's origin in one word: a flag, the environment, a config file, the built-in default. */
export type ConfigSource = 'flag' | 'env' | 'config file' | 'default'

/** The settings `origins` reports on, named as in tsrun.conf. */
export type SettingName = FileSettingKey

/** Where one setting's value came from: `name` is the flag, the variable or the file. */
export interface SettingOrigin {
  source: 'flag' | 'env' | 'file' | 'default'
  name?: string
}

/** What the command line gave; undefined means not given. */
export interface ConfigFlags {
  root?: string
  runRoot?: string
  isolation?: string
  storageDriver?: string
  selfCommand?: string[]
}

/** Each setting's flag (for origins) and environment variable, in precedence order after the flag. */
const SOURCES: Record<SettingName, { flag?: string; env?: string; builtin?: string }> = {
  root: { flag: '--root', env: 'TSRUN_ROOT', builtin: '/var/lib/tsrun' },
  runroot: { flag: '--runroot', env: 'TSRUN_RUNROOT', builtin: '/run/tsrun' },
  isolation: { flag: '--isolation', env: 'TSRUN_ISOLATION', builtin: 'native' },
  'storage-driver': { flag: '--storage-driver', env: 'TSRUN_STORAGE_DRIVER', builtin: 'overlay' },
  network: { env: 'TSRUN_NETWORK', builtin: 'none' },
  'log-driver': { env: 'TSRUN_LOG_DRIVER', builtin: 'json-file' },
  runtime: { env: 'TSRUN_RUNTIME' },
  'registries.insecure': { env: 'TSRUN_INSECURE_REGISTRIES' },
  'registries.auth-file': { env: 'REGISTRY_AUTH_FILE' },
  'registries.config': { env: 'CONTAINERS_REGISTRIES_CONF' },
}

/**
 * Resolve the config: flag > environment > config files > built-in. The
 * config files are read here unless `files` is given (tests give their own).
 */
export function resolveConfig(flags: ConfigFlags = {}, env: NodeJS.ProcessEnv = process.env, files?: LoadedConfigFiles): EngineConfig {
  const loaded = files ?? loadConfigFiles(configFilePaths(env))
  const origins = {} as Record<SettingName, SettingOrigin>
  const pick = <T extends string | string[]>(name: SettingName, flag: T | undefined, fromEnv: (raw: string) => T): T | undefined => {
    const src = SOURCES[name]
    if (flag !== undefined) {
      origins[name] = { source: 'flag', name: src.flag }
      return flag
    }
    const raw = src.env ? env[src.env] : undefined
    if (raw) {
      origins[name] = { source: 'env', name: src.env }
      return fromEnv(raw)
    }
    const fileValue = loaded.values[name]
    if (fileValue) {
      origins[name] = { source: 'file', name: fileValue.file }
      return fileValue.value as T
    }
    origins[name] = { source: 'default' }
    return src.builtin as T | undefined
  }
  const text = (raw: string) => raw
  const list = (raw: string) => raw.split(',').map((s) => s.trim()).filter(Boolean)
  const absolute = (raw: string) => path.resolve(raw)

  const root = path.resolve(pick('root', flags.root, absolute)!)
  const rootIsDefault = origins.root.source === 'default'
  let runRoot = pick('runroot', flags.runRoot, absolute)
  // A moved root takes its volatile state along unless told otherwise (tests use a fresh root each).
  if (origins.runroot.source === 'default' && !rootIsDefault) runRoot = path.join(root, 'run')
  return {
    root,
    runRoot: path.resolve(runRoot!),
    isolation: pick('isolation', flags.isolation, text)!,
    storageDriver: pick('storage-driver', flags.storageDriver, text)!,
    network: pick('network', undefined, text)!,
    logDriver: pick('log-driver', undefined, text)!,
    runtime: pick('runtime', undefined, absolute),
    registries: {
      insecure: pick('registries.insecure', undefined, list) ?? [],
      authFile: pick('registries.auth-file', undefined, absolute),
      registriesConf: pick('registries.config', undefined, absolute),
    },
    selfCommand: flags.selfCommand ?? [],
    origins,
    sources: {
      root: shortSource(origins.root),
      // Without its own flag, variable or file setting the run root follows the root.
      runRoot: shortSource(origins.runroot.source === 'default' ? origins.root : origins.runroot),
      isolation: shortSource(origins.isolation),
      storageDriver: shortSource(origins['storage-driver']),
    },
    configFiles: loaded.files,
  }
}

function shortSource(origin: SettingOrigin): ConfigSource {
  return origin.source === 'file' ? 'config file' : origin.source
}

/** One line of `configReport`. */
export interface ConfigReportRow {
  /** The name as in tsrun.conf (`storage-driver`, `registries.insecure`). */
  setting: SettingName
  /** The value in effect; lists joined with commas; empty when unset. */
  value: string
  /** `flag --root`, `env TSRUN_ROOT`, the file's path, or `default`. */
  source: string
}

/**
 * Every setting with its value and where it came from, in a stable order:
 * what `info` shows (and what a person debugging "why is it using X" needs).
 */
export function configReport(config: EngineConfig): ConfigReportRow[] {
  const values: Record<SettingName, string | string[] | undefined> = {
    root: config.root,
    runroot: config.runRoot,
    isolation: config.isolation,
    'storage-driver': config.storageDriver,
    network: config.network,
    'log-driver': config.logDriver,
    runtime: config.runtime,
    'registries.insecure': config.registries.insecure,
    'registries.auth-file': config.registries.authFile,
    'registries.config': config.registries.registriesConf,
  }
  return (Object.keys(SOURCES) as SettingName[]).map((setting) => {
    const v = values[setting]
    return { setting, value: Array.isArray(v) ? v.join(',') : v ?? '', source: describeOrigin(config.origins[setting]) }
  })
}

/** `flag --root`, `env TSRUN_ROOT`, `/etc/tsrun/tsrun.conf`, or `default`. */
export function describeOrigin(origin: SettingOrigin | undefined): string {
  if (!origin || origin.source === 'default') return 'default'
  if (origin.source === 'file') return origin.name!
  return `${origin.source} ${origin.name}`
}

/** The fixed layout below the roots, in one place. */
export class Paths {
  constructor(private readonly cfg: Pick<EngineConfig, 'root' | 'runRoot'>) {}
  get root(): string { return this.cfg.root }
  /** Volatile state (locks). */
  get runRoot(): string { return this.cfg.runRoot }
  /** The OCI image layout (oci-layout, index.json, blobs/). */
  get images(): string { return path.join(this.cfg.root, 'images') }
  get containers(): string { return path.join(this.cfg.root, 'containers') }
  /** Name reservations: one symlink per name, pointing at the container id. */
  get names(): string { return path.join(this.cfg.root, 'names') }
  /** Private space of the storage driver `name`. */
  storage(name: string): string { return path.join(this.cfg.root, 'storage', name) }
  /** Scratch space; same filesystem as the store so renames are atomic. */
  get tmp(): string { return path.join(this.cfg.root, 'tmp') }
  get locks(): string { return path.join(this.cfg.runRoot, 'locks') }
  /** Leases of running pulls, loads and imports (images/leases.ts); volatile, as they only mean something while their owner lives. */
  get leases(): string { return path.join(this.cfg.runRoot, 'leases') }
  container(id: string): string { return path.join(this.cfg.root, 'containers', id) }
}
