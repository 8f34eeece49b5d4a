import type { PluginHost } from '@tsrun/core'
import { NativeIsolation } from './native-isolation'

export { NativeIsolation }
export type { OciRuntime } from './native-isolation'

/** Register `isolation:native`. Called by the `tsrun:register` hook, or by a host embedding tsrun. */
export function register(host: PluginHost): void {
  host.registerBackend('isolation', 'native', () => new NativeIsolation())
}
