/**
 * The only module that imports tsyringe. Everything else asks for tokens from
 * `Tokens` and gets a `DependencyContainer` from here, so swapping the DI
 * library (or a plugin loading a second copy of it) touches one file.
 *
 * Tokens are strings, never object identities: a plugin installed with its own
 * node_modules may load another copy of this package, and a string token still
 * names the same slot in the host's container.
 */
import 'reflect-metadata'
import { container as rootContainer, DependencyContainer, inject, injectable } from 'tsyringe'

export { inject, injectable }
export type { DependencyContainer }

/** Every DI slot the engine knows, by name. */
export const Tokens = {
  /** EngineConfig: roots and selected backend names. */
  Config: 'tsrun.config',
  /** BackendRegistry: every backend plugins registered, by kind and name. */
  Backends: 'tsrun.backends',
} as const

/** A fresh child container per CLI invocation: nothing leaks between engines in one process (tests). */
export function createEngineContainer(): DependencyContainer {
  return rootContainer.createChildContainer()
}
