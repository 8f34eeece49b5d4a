import type { Config } from '@oclif/core'
import { pluginApiMismatch } from '@tsrun/core/plugin'

const HOOK = 'tsrun:register'

/**
 * Keep out every plugin built for another plugin API than this engine's:
 * its `tsrun:register` hook is hidden from oclif's runHook for this call,
 * with one warning line naming it, so the commands go on with the other
 * plugins (as Docker disables an incompatible plugin instead of failing).
 * oclif runs every plugin's hooks itself, so hiding the hook is the way to
 * skip one. Answers the function that puts the hooks back.
 */
export function gatePlugins(config: Config, warn: (message: string) => void): () => void {
  const hidden: Array<{ hooks: Record<string, unknown>; saved: unknown }> = []
  for (const plugin of config.getPluginsList()) {
    const hooks = plugin.hooks as unknown as Record<string, unknown[] | undefined>
    if (!hooks[HOOK]?.length) continue
    const declared = (plugin.pjson as { tsrun?: { pluginApi?: unknown } }).tsrun?.pluginApi
    const why = pluginApiMismatch(plugin.name, declared)
    if (!why) continue
    warn(why)
    hidden.push({ hooks, saved: hooks[HOOK] })
    hooks[HOOK] = []
  }
  return () => {
    for (const h of hidden) h.hooks[HOOK] = h.saved
  }
}
