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

/** Builds the backend for one name of a family (see `registerFamily`). */
export type FamilyFactory<T = unknown> = (container: DependencyContainer, name: string) => T

/** Names one factory serves, with the label listings show for them. */
interface Family {
  kind: BackendKind
  label: string
  accepts: (name: string) => boolean
  factory: FamilyFactory
  /** Throws a TsrunError when a name may not be chosen now (create); not asked for existing containers. */
  validate?: (name: string) => void
  origin: string
  instances: Map<string, unknown>
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
  private readonly families: Family[] = []

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
    const named = [...this.entries.entries()]
      .filter(([k]) => k.startsWith(`${kind}:`))
      .map(([k, e]) => ({ kind, name: k.slice(kind.length + 1), version: e.version, capabilities: e.capabilities, origin: e.origin }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    const families = this.families.filter((f) => f.kind === kind).map((f) => ({ kind, name: f.label, version: BACKEND_KIND_VERSIONS[kind], capabilities: [], origin: f.origin }))
    return [...named, ...families]
  }

  /**
   * A family of names served by one factory, for backends named by the
   * user rather than by a plugin: `isolation` names that are paths
   * (`--runtime /usr/local/bin/crun`, as podman's flag). A registered name
   * wins over a family; `label` stands for the family in listings.
   * `validate` is asked by `assertKnown` only (a new container's choice:
   * `--runtime /nonexistent` is refused there), never when a container
   * already made is resolved, so one whose binary went away can still be
   * stopped and removed.
   */
  registerFamily<T>(kind: BackendKind, label: string, accepts: (name: string) => boolean, factory: FamilyFactory<T>, origin = 'unknown', validate?: (name: string) => void): void {
    this.families.push({ kind, label, accepts, factory, validate, origin, instances: new Map() })
  }

  /** The backend of `kind` registered as `name`; UnknownBackendError listing the registered names otherwise. */
  resolve<T>(kind: BackendKind, name: string): T {
    const entry = this.entries.get(`${kind}:${name}`)
    if (!entry) return this.fromFamily<T>(kind, name)
    entry.instance ??= entry.factory(this.container)
    return entry.instance as T
  }

  private family(kind: BackendKind, name: string): Family {
    const family = this.families.find((f) => f.kind === kind && f.accepts(name))
    if (!family) throw new UnknownBackendError(kind, name, this.names(kind))
    return family
  }

  private fromFamily<T>(kind: BackendKind, name: string): T {
    const family = this.family(kind, name)
    if (!family.instances.has(name)) family.instances.set(name, family.factory(this.container, name))
    return family.instances.get(name) as T
  }

  /** Check a name for a new container without building the backend (a family's `validate` decides for its names). */
  assertKnown(kind: BackendKind, name: string): void {
    if (!this.entries.has(`${kind}:${name}`)) this.family(kind, name).validate?.(name)
  }

  /** The registered names of `kind`, then the labels of its families. */
  names(kind: BackendKind): string[] {
    const named = [...this.entries.keys()].filter((k) => k.startsWith(`${kind}:`)).map((k) => k.slice(kind.length + 1)).sort()
    return [...named, ...this.families.filter((f) => f.kind === kind).map((f) => f.label)]
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
  /** A family of names one factory serves (BackendRegistry.registerFamily). */
  registerBackendFamily?<T>(kind: BackendKind, label: string, accepts: (name: string) => boolean, factory: FamilyFactory<T>, validate?: (name: string) => void): void
  /** The engine's container, to resolve Tokens.Config and friends. */
  readonly container: DependencyContainer
}
