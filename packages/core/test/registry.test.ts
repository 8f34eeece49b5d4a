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

describe('versioned backend kinds', () => {
  it('takes a kind with or without the version this engine implements, and describes it', () => {
    const reg = new BackendRegistry(createEngineContainer())
    reg.register('storage.v1', 'a', () => ({}), 'plugin-a', { capabilities: ['quota', 'exec'] })
    reg.register('storage', 'b', () => ({}), 'plugin-b')
    expect(reg.describe('storage')).toEqual([
      { kind: 'storage', name: 'a', version: 'v1', capabilities: ['exec', 'quota'], origin: 'plugin-a' },
      { kind: 'storage', name: 'b', version: 'v1', capabilities: [], origin: 'plugin-b' },
    ])
  })
  it('refuses an interface version it does not implement, naming the plugin and what it has', () => {
    const reg = new BackendRegistry(createEngineContainer())
    expect(() => reg.register('storage.v2' as never, 'zfs', () => ({}), 'acme-zfs')).toThrow(
      'plugin acme-zfs registers storage:zfs for the storage.v2 interface; this tsrun implements storage.v1: install a version of the plugin made for this tsrun',
    )
    expect(reg.names('storage')).toEqual([])
  })
  it('refuses a kind it does not have', () => {
    const reg = new BackendRegistry(createEngineContainer())
    expect(() => reg.register('gpu' as never, 'nv', () => ({}), 'acme-gpu')).toThrow(/plugin acme-gpu registers nv as a backend of kind "gpu", which this tsrun does not have/)
  })
})
