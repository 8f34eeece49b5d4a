import type { DependencyContainer } from '../di'
import { TsrunError, UnknownBackendError } from '../errors'

/** The kinds of backend a plugin can provide. */
export type BackendKind = 'isolation' | 'storage' | 'network' | 'volume' | 'image-source'

/**
 * The version of each kind's interface this engine implements. A plugin may
 * register under `storage` (this version) or name it, `storage.v1`; a
 * backend written against another version of the interface is refused by
 * name instead of failing later in a call it does not answer as expected.
 * A change to an interface that breaks its implementers adds a version here.
 */
export const BACKEND_KIND_VERSIONS: Readonly<Record<BackendKind, string>> = {
  isolation: 'v1',
  storage: 'v1',
  network: 'v1',
  volume: 'v1',
  'image-source': 'v1',
}

/** A kind as a registration names it: `storage` or `storage.v1`. */
export type VersionedKind = BackendKind | `${BackendKind}.${string}`

/** Builds a backend on first use; gets the engine's container to resolve what it needs. */
export type BackendFactory<T = unknown> = (container: DependencyContainer) => T

/** What a registration says of its backend besides how to build it. */
export interface BackendMeta {
  /** What it can do beyond the interface's required part, by name (`exec`, `pause`, `rootless`, `quota`...): shown by `tsrun info`, checked by callers that need one. */
  capabilities?: string[]
}

/** One registered backend as `describe` answers it. */
export interface BackendDescription {
  kind: BackendKind
  name: string
  /** The interface version it implements (`v1`). */
  version: string
  capabilities: string[]
  /** The plugin that registered it. */
  origin: string
}

interface Entry {
  factory: BackendFactory
  instance?: unknown
  /** Who registered it, for the duplicate error. */
  origin: string
  version: string
  capabilities: string[]
}

/**
 * Every backend the plugins registered, by kind and name (`isolation:native`).
 * A duplicate kind+name is a hard error (as containerd's plugin registry): two
 * plugins silently fighting over one name would be worse. Instances are made
 * lazily, so registering costs nothing at start-up.
 */
export class BackendRegistry {
  private readonly entries = new Map<string, Entry>()

  constructor(private readonly container: DependencyContainer) {}

  register<T>(versionedKind: VersionedKind, name: string, factory: BackendFactory<T>, origin = 'unknown', meta: BackendMeta = {}): void {
    const { kind, version } = splitKind(versionedKind, name, origin)
    const key = `${kind}:${name}`
    const existing = this.entries.get(key)
    if (existing) {
      throw new TsrunError(`backend ${key} is registered twice: by ${existing.origin} and by ${origin}; uninstall one of them`)
    }
    this.entries.set(key, { factory, origin, version, capabilities: [...(meta.capabilities ?? [])].sort() })
  }

  /** Every backend of `kind` with its version, capabilities and plugin, by name. */
  describe(kind: BackendKind): BackendDescription[] {
    return this.names(kind).map((name) => {
      const e = this.entries.get(`${kind}:${name}`)!
      return { kind, name, version: e.version, capabilities: e.capabilities, origin: e.origin }
    })
  }

  /** The backend of `kind` registered as `name`; UnknownBackendError listing the registered names otherwise. */
  resolve<T>(kind: BackendKind, name: string): T {
    const entry = this.entries.get(`${kind}:${name}`)
    if (!entry) throw new UnknownBackendError(kind, name, this.names(kind))
    entry.instance ??= entry.factory(this.container)
    return entry.instance as T
  }

  /** Check a name without building the backend. */
  assertKnown(kind: BackendKind, name: string): void {
    if (!this.entries.has(`${kind}:${name}`)) throw new UnknownBackendError(kind, name, this.names(kind))
  }

  names(kind: BackendKind): string[] {
    return [...this.entries.keys()].filter((k) => k.startsWith(`${kind}:`)).map((k) => k.slice(kind.length + 1)).sort()
  }
}

/** `storage.v1` → storage, v1; an unknown kind or a version this engine does not implement is refused, naming the plugin. */
function splitKind(versionedKind: string, name: string, origin: string): { kind: BackendKind; version: string } {
  const dot = versionedKind.indexOf('.')
  const kind = (dot < 0 ? versionedKind : versionedKind.slice(0, dot)) as BackendKind
  const current = BACKEND_KIND_VERSIONS[kind]
  if (!current) {
    throw new TsrunError(`plugin ${origin} registers ${name} as a backend of kind "${kind}", which this tsrun does not have (kinds: ${Object.keys(BACKEND_KIND_VERSIONS).join(', ')})`)
  }
  const version = dot < 0 ? current : versionedKind.slice(dot + 1)
  if (version !== current) {
    throw new TsrunError(`plugin ${origin} registers ${kind}:${name} for the ${kind}.${version} interface; this tsrun implements ${kind}.${current}: install a version of the plugin made for this tsrun`)
  }
  return { kind, version }
}

/**
 * What a plugin receives in `register(host)`. Plugins must not import
 * tsyringe themselves: a second copy would not see the host's container.
 */
export interface PluginHost {
  registerBackend<T>(kind: VersionedKind, name: string, factory: BackendFactory<T>, meta?: BackendMeta): void
  /** The engine's container, to resolve Tokens.Config and friends. */
  readonly container: DependencyContainer
}
