/**
 * `@tsrun/core/plugin`: the one surface a backend plugin programs against,
 * versioned as a whole (PLUGIN_API_VERSION) and kind by kind
 * (BACKEND_KIND_VERSIONS): the backend interfaces, the engine's errors (a
 * backend's TsrunError reaches the user as one line with its exit code), the
 * DI tokens a factory resolves, and a small kit (image references, atomic
 * writes, locks). Everything else in @tsrun/core is the engine's own and may
 * change without notice; a plugin that reaches past this module is on its
 * own.
 *
 * A plugin's package.json declares the API it was built for, and oclif's
 * hook points at a module made by `definePlugin`:
 *
 *   "tsrun": { "pluginApi": 1 },
 *   "oclif": { "hooks": { "tsrun:register": "./dist/hook" } }
 *
 *   // dist/hook.js
 *   const { definePlugin } = require('@tsrun/core/plugin')
 *   module.exports = definePlugin({ name: 'acme-storage', register(host) {
 *     host.registerBackend('storage.v1', 'acme', (c) => new AcmeDriver(c.resolve(Tokens.Config)), { capabilities: ['quota'] })
 *   } })
 *
 * The CLI loads no plugin that declares another API version (or none): it
 * says so in one warning line and goes on without it.
 */
import type { PluginHost } from './backends/registry'

/** The plugin API this engine implements. Bumped when a change breaks plugins written for the previous one. */
export const PLUGIN_API_VERSION = 1

/** What `definePlugin` takes. */
export interface PluginDefinition {
  /** The plugin's npm name: named in errors and in `tsrun info`. */
  name: string
  /** Register the plugin's backends. Called once per command that opens the engine; build nothing here (factories run on first use). */
  register(host: PluginHost): void
}

/** The oclif `tsrun:register` hook of a plugin: the CLI calls it with a host per plugin name. */
export type RegisterHook = (opts: { host: (origin: string) => PluginHost }) => Promise<void>

/** Make the `tsrun:register` hook module of a plugin from its definition. */
export function definePlugin(def: PluginDefinition): RegisterHook {
  return async (opts) => def.register(opts.host(def.name))
}

/**
 * Whether a plugin's declared API (its package.json `tsrun.pluginApi`) is
 * this engine's; otherwise the reason, for the warning the CLI prints.
 */
export function pluginApiMismatch(name: string, declared: unknown): string | undefined {
  if (declared === PLUGIN_API_VERSION) return undefined
  if (declared === undefined) return `plugin ${name} declares no tsrun plugin API ("tsrun": { "pluginApi": ${PLUGIN_API_VERSION} } in its package.json): it is not loaded`
  return `plugin ${name} is built for tsrun plugin API ${JSON.stringify(declared)}, and this tsrun has API ${PLUGIN_API_VERSION}: it is not loaded (install a version of it made for this tsrun)`
}

export { BACKEND_KIND_VERSIONS } from './backends/registry'
export type { BackendDescription, BackendFactory, BackendKind, BackendMeta, PluginHost, VersionedKind } from './backends/registry'
export type * from './backends/image-source'
export type * from './backends/isolation'
export type * from './backends/isolation-control'
export type * from './backends/isolation-copy'
export type * from './backends/layer-inventory'
export type * from './backends/network'
export type * from './backends/rootfs-changes'
export type * from './backends/storage'
export type * from './backends/volume'
export * from './errors'
export { Tokens, inject, injectable } from './di'
export type { DependencyContainer } from './di'
export { Paths } from './config'
export type { EngineConfig } from './config'
export { parseReference, formatReference, familiarString, type ImageReference } from './images/reference'
export { writeFileAtomic, writeJsonAtomic, readJson } from './util/atomic'
export { withLock } from './util/lock'
