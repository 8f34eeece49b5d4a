import { describe, expect, it } from 'vitest'
import { BackendRegistry } from '../src/backends/registry'
import { createEngineContainer } from '../src/di'

describe('backend registry', () => {
  it('builds a backend lazily, once', () => {
    const reg = new BackendRegistry(createEngineContainer())
    let built = 0
    reg.register('storage', 'x', () => ({ n: ++built }))
    expect(built).toBe(0)
    expect(reg.resolve('storage', 'x')).toBe(reg.resolve('storage', 'x'))
    expect(built).toBe(1)
  })
  it('refuses a duplicate kind and name, naming both plugins', () => {
    const reg = new BackendRegistry(createEngineContainer())
    reg.register('isolation', 'native', () => ({}), 'plugin-a')
    expect(() => reg.register('isolation', 'native', () => ({}), 'plugin-b')).toThrow(/plugin-a.*plugin-b/)
  })
  it('lists the registered names when asked for an unknown one', () => {
    const reg = new BackendRegistry(createEngineContainer())
    reg.register('storage', 'overlay', () => ({}))
    reg.register('storage', 'bind', () => ({}))
    expect(() => reg.resolve('storage', 'zfs')).toThrow('unknown storage backend "zfs": registered storage backends are bind, overlay')
  })
})
