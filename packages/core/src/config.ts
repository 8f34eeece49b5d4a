import * as path from 'node:path'

/**
 * Where the engine keeps its state and which backends it uses. Built once per
 * CLI invocation from flags, then environment, then defaults.
 */
export interface EngineConfig {
  /** Persistent state: images, layers, containers (`/var/lib/tsrun`). */
  root: string
  /** Volatile state: locks (`/run/tsrun`); under `root` when `root` is overridden. */
  runRoot: string
  /** Default isolation backend name (flag > TSRUN_ISOLATION > `native`). */
  isolation: string
  /** Default storage driver name (flag > TSRUN_STORAGE_DRIVER > `overlay`). */
  storageDriver: string
  /** The command that re-enters this CLI, for the monitor's exit command (`--rm -d`). */
  selfCommand: string[]
  /** Where each setting came from, for `tsrun info` (absent in configs built by hand). */
  sources?: Partial<Record<ConfigSetting, ConfigSource>>
}

/** The settings whose origin `info` shows. */
export type ConfigSetting = 'root' | 'runRoot' | 'isolation' | 'storageDriver'

/**
 * Where a setting's value came from, highest precedence first: a flag, the
 * environment, a config file (the layer a tsrun config file will add), the
 * built-in default.
 */
export type ConfigSource = 'flag' | 'env' | 'config file' | 'default'

/** Resolve the config from explicit options, then the environment, then defaults. */
export function resolveConfig(opts: Partial<EngineConfig> = {}, env: NodeJS.ProcessEnv = process.env): EngineConfig {
  const explicitRoot = opts.root ?? env.TSRUN_ROOT
  const root = path.resolve(explicitRoot ?? '/var/lib/tsrun')
  const runRoot = path.resolve(opts.runRoot ?? env.TSRUN_RUNROOT ?? (explicitRoot ? path.join(root, 'run') : '/run/tsrun'))
  // Each setting: flag, then environment, then (once it exists) the config
  // file's layer, then the built-in default; `sources` records which won.
  const from = (flag: unknown, envValue: unknown): ConfigSource => (flag !== undefined ? 'flag' : envValue !== undefined ? 'env' : 'default')
  const rootSource = from(opts.root, env.TSRUN_ROOT)
  return {
    root,
    runRoot,
    isolation: opts.isolation ?? env.TSRUN_ISOLATION ?? 'native',
    storageDriver: opts.storageDriver ?? env.TSRUN_STORAGE_DRIVER ?? 'overlay',
    selfCommand: opts.selfCommand ?? [],
    sources: {
      root: rootSource,
      // Without its own flag or variable the run root follows --root / TSRUN_ROOT.
      runRoot: opts.runRoot !== undefined || env.TSRUN_RUNROOT !== undefined ? from(opts.runRoot, env.TSRUN_RUNROOT) : rootSource,
      isolation: from(opts.isolation, env.TSRUN_ISOLATION),
      storageDriver: from(opts.storageDriver, env.TSRUN_STORAGE_DRIVER),
    },
  }
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
  container(id: string): string { return path.join(this.containers, id) }
}
