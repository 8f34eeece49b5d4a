import { describe, expect, it } from 'vitest'
import { definePlugin, pluginApiMismatch, PLUGIN_API_VERSION } from '../src/plugin-api'
import type { PluginHost } from '../src/backends/registry'

describe('the plugin API', () => {
  it("definePlugin's hook registers through the host made for the plugin's own name", async () => {
    const asked: string[] = []
    const registered: string[] = []
    const hook = definePlugin({ name: 'acme', register: (host) => host.registerBackend('volume', 'nfs', () => ({})) })
    await hook({
      host: (origin) => {
        asked.push(origin)
        return { registerBackend: (kind, name) => registered.push(`${kind}:${name}`), container: undefined as never } as PluginHost
      },
    })
    expect([asked, registered]).toEqual([['acme'], ['volume:nfs']])
  })
  it('a declared version other than this one, or none, is a reason not to load the plugin', () => {
    expect(pluginApiMismatch('a', PLUGIN_API_VERSION)).toBeUndefined()
    expect(pluginApiMismatch('a', PLUGIN_API_VERSION + 1)).toMatch(/built for tsrun plugin API 2, and this tsrun has API 1/)
    expect(pluginApiMismatch('a', '1')).toMatch(/built for tsrun plugin API "1"/)
    expect(pluginApiMismatch('a', undefined)).toMatch(/declares no tsrun plugin API/)
  })
})
