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
  it('a family serves the names it accepts, one instance per name; a registered name wins', () => {
    const reg = new BackendRegistry(createEngineContainer())
    const built: string[] = []
    reg.register('isolation', 'native', () => ({ name: 'native' }))
    reg.registerFamily('isolation', '/PATH', (n) => n.startsWith('/'), (_c, name) => {
      built.push(name)
      return { name }
    })
    expect(reg.resolve<{ name: string }>('isolation', '/usr/bin/runc').name).toBe('/usr/bin/runc')
    expect(reg.resolve('isolation', '/usr/bin/runc')).toBe(reg.resolve('isolation', '/usr/bin/runc'))
    expect(built).toEqual(['/usr/bin/runc'])
    expect(reg.resolve<{ name: string }>('isolation', 'native').name).toBe('native')
    expect(reg.names('isolation')).toEqual(['native', '/PATH'])
    expect(() => reg.resolve('isolation', 'vm')).toThrow('registered isolation backends are native, /PATH')
  })
  it('assertKnown of a family name asks its validate; resolve does not (a made container stays reachable)', () => {
    const reg = new BackendRegistry(createEngineContainer())
    reg.registerFamily('isolation', '/PATH', (n) => n.startsWith('/'), (_c, name) => ({ name }), 'test', (name) => {
      throw new Error(`${name} is not an executable file`)
    })
    expect(() => reg.assertKnown('isolation', '/nonexistent')).toThrow('/nonexistent is not an executable file')
    expect(reg.resolve<{ name: string }>('isolation', '/nonexistent').name).toBe('/nonexistent')
    expect(() => reg.assertKnown('isolation', 'vm')).toThrow('unknown isolation backend "vm"')
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
