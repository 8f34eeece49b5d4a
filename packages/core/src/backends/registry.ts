import type { DependencyContainer } from '../di'
import { TsrunError, UnknownBackendError } from '../errors'

/** The kinds of backend a plugin can provide. */
export type BackendKind = 'isolation' | 'storage' | 'network' | 'volume' | 'image-source'

/** Builds a backend on first use; gets the engine's container to resolve what it needs. */
export type BackendFactory<T = unknown> = (container: DependencyContainer) => T

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

  constructor(private readonly container: DependencyContainer) {}

  register<T>(kind: BackendKind, name: string, factory: BackendFactory<T>, origin = 'unknown'): void {
    const key = `${kind}:${name}`
    const existing = this.entries.get(key)
    if (existing) {
      throw new TsrunError(`backend ${key} is registered twice: by ${existing.origin} and by ${origin}; uninstall one of them`)
    }
    this.entries.set(key, { factory, origin })
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

/**
 * What a plugin receives in `register(host)`. Plugins must not import
 * tsyringe themselves: a second copy would not see the host's container.
 */
export interface PluginHost {
  registerBackend<T>(kind: BackendKind, name: string, factory: BackendFactory<T>): void
  /** The engine's container, to resolve Tokens.Config and friends. */
  readonly container: DependencyContainer
}
