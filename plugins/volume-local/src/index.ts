import type { PluginHost } from '@tsrun/core'
import { LocalVolumeDriver } from './local-driver'

export { LocalVolumeDriver }
export { parseLocalOptions, type LocalOptions } from './options'

/** Register `volume:local`. */
export function register(host: PluginHost): void {
  host.registerBackend('volume', 'local', () => new LocalVolumeDriver())
}
