import type { DependencyContainer } from '../di'
import { TsrunError, UnknownBackendError } from '../errors'

/** The kinds of backend a plugin can provide. */
export type BackendKind = 'isolation' | 'storage' | 'network' | 'volume' | 'image-source'

/** Builds a backend on first use; gets the engine's container to resolve what it needs. */
export type BackendFactory<T = unknown> = (container: DependencyContainer) => T

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

  register<T>(kind: BackendKind, name: string, factory: BackendFactory<T>, origin = 'unknown'): void {
    const key = `${kind}:${name}`
    const existing = this.entries.get(key)
    if (existing) {
      throw new TsrunError(`backend ${key} is registered twice: by ${existing.origin} and by ${origin}; uninstall one of them`)
    }
    this.entries.set(key, { factory, origin })
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

/**
 * What a plugin receives in `register(host)`. Plugins must not import
 * tsyringe themselves: a second copy would not see the host's container.
 */
export interface PluginHost {
  registerBackend<T>(kind: BackendKind, name: string, factory: BackendFactory<T>): void
  /** A family of names one factory serves (BackendRegistry.registerFamily). */
  registerBackendFamily?<T>(kind: BackendKind, label: string, accepts: (name: string) => boolean, factory: FamilyFactory<T>, validate?: (name: string) => void): void
  /** The engine's container, to resolve Tokens.Config and friends. */
  readonly container: DependencyContainer
}
