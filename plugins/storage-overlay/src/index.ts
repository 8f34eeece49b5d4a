import { Paths, Tokens, type EngineConfig, type PluginHost } from '@tsrun/core'
import { OverlayDriver } from './overlay-driver'

export { OverlayDriver }

/** Register `storage:overlay`, keeping its files under `<root>/storage/overlay`. */
export function register(host: PluginHost): void {
  host.registerBackend('storage', 'overlay', (c) => new OverlayDriver(new Paths(c.resolve<EngineConfig>(Tokens.Config)).storage('overlay')))
}
