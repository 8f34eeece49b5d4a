import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseByteSize } from '../src/volumes/byte-size'
import { parseMountFlag, parseMountFlags, parseTmpfsFlag, parseVolumeFlag } from '../src/volumes/mount-request'
import { imageEntryKind, rootfsLayers } from '../src/volumes/container-mounts'

describe('-v', () => {
  it('tells anonymous volumes, named volumes and host paths apart', () => {
    expect(parseVolumeFlag('/data')).toMatchObject({ type: 'volume', target: '/data' })
    expect(parseVolumeFlag('db:/var/lib/db:ro,nocopy')).toMatchObject({ type: 'volume', name: 'db', readonly: true, noCopy: true })
    expect(parseVolumeFlag('/srv/x:/x/:rslave,z')).toMatchObject({ type: 'bind', source: '/srv/x', target: '/x', propagation: 'rslave', relabel: 'z', createSource: true })
  })
  it('./x and ../x are host paths relative to here (Docker 23+)', () => {
    expect(parseVolumeFlag('./x:/x')).toMatchObject({ type: 'bind', source: path.resolve('x') })
    expect(parseVolumeFlag('..:/x')).toMatchObject({ type: 'bind', source: path.resolve('..') })
  })

  it('refuses what Docker refuses', () => {
    expect(() => parseVolumeFlag('data:rel')).toThrow(/not an absolute path/)
    expect(() => parseVolumeFlag('.x:/x')).toThrow(/invalid characters/)
    expect(() => parseVolumeFlag('/h:/d:ro,rw')).toThrow(/invalid mode: ro,rw/)
    expect(() => parseVolumeFlag('x:/')).toThrow(/can't be "\/"/)
    expect(() => parseVolumeFlag('db:/d:shared')).toThrow(/only for bind mounts/)
    expect(() => parseVolumeFlag('/h:/d:nocopy')).toThrow(/nocopy is only for volumes/)
    expect(() => parseVolumeFlag('a:b:c:d')).toThrow(/expected \[SOURCE:\]DESTINATION/)
  })
})

describe('--mount', () => {
  it('reads each type with its own keys', () => {
    expect(parseMountFlag('type=volume,src=vv,dst=/d,volume-subpath=a/b/,volume-opt=type=tmpfs,readonly')).toMatchObject({ type: 'volume', name: 'vv', subpath: 'a/b', driverOptions: { type: 'tmpfs' }, readonly: true })
    expect(parseMountFlag('type=bind,source=/h,target=/d,bind-propagation=rshared,ro=false')).toMatchObject({ type: 'bind', propagation: 'rshared', readonly: false, createSource: false })
    expect(parseMountFlag('type=tmpfs,dst=/t,tmpfs-size=64m,tmpfs-mode=1770')).toEqual({ type: 'tmpfs', target: '/t', readonly: false, options: ['size=67108864', 'mode=1770'] })
  })
  it('refuses unknown keys, keys of another type and escaping subpaths', () => {
    expect(() => parseMountFlag('type=bind,src=/h,dst=/d,volume-nocopy')).toThrow(/volume-nocopy is only for type=volume/)
    expect(() => parseMountFlag('type=volume,src=v,dst=/d,volume-subpath=../up')).toThrow(/inside the volume/)
    expect(() => parseMountFlag('type=volume,src=v,dst=/d,volume-subpath=/abs')).toThrow(/inside the volume/)
    expect(() => parseMountFlag('type=nfs,dst=/d')).toThrow(/type must be bind, volume or tmpfs/)
    expect(() => parseMountFlag('dst=/d,speed=fast')).toThrow(/unknown option "speed"/)
  })
})

describe('--tmpfs and sizes', () => {
  it('normalises sizes to bytes and keeps kernel words', () => {
    expect(parseTmpfsFlag('/c:size=1g,exec,uid=1000')).toEqual({ type: 'tmpfs', target: '/c', readonly: false, options: ['size=1073741824', 'exec', 'uid=1000'] })
    expect(parseByteSize('64MiB', 's')).toBe(64 * 1024 * 1024)
    expect(parseByteSize('4096', 's')).toBe(4096)
    expect(() => parseByteSize('12q', 's')).toThrow(/expected a size/)
    expect(() => parseTmpfsFlag('/c:bogus')).toThrow(/unknown option "bogus"/)
  })
  it('refuses two mounts on one destination', () => {
    expect(() => parseMountFlags({ volumes: ['a1:/d'], tmpfs: ['/d/'] })).toThrow('duplicate mount point: /d')
  })
})

describe('image content for copy-up', () => {
  it('reads the overlay layers top first', () => {
    expect(rootfsLayers({ path: '/r', mounts: [{ type: 'overlay', source: 'overlay', options: ['lowerdir=/l2:/l1', 'upperdir=/u', 'workdir=/w'] }] })).toEqual(['/u', '/l2', '/l1'])
    expect(rootfsLayers({ path: '/r', mounts: [] })).toEqual(['/r'])
    expect(rootfsLayers({ path: '/r', mounts: [{ type: 'fuse', source: 'x', options: [] }] })).toBeUndefined()
    expect(imageEntryKind(['/nonexistent-layer'], '/etc')).toBe('missing')
  })
})
