import type { PluginHost } from '@tsrun/core'
import { BindDriver } from './bind-driver'

export { BindDriver }

/** Register `storage:bind`. */
export function register(host: PluginHost): void {
  host.registerBackend('storage', 'bind', () => new BindDriver())
}
