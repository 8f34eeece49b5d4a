import { describe, expect, it } from 'vitest'
import { deviceCgroupRules } from '../src/containers/device-rules'

describe('device cgroup rules', () => {
  it("are Docker's default then runc's: deny all, the standard nodes, ptys, mknod of anything", () => {
    const r = deviceCgroupRules(false, [])
    expect(r[0]).toEqual({ allow: false, access: 'rwm' })
    const allowed = r.filter((x) => x.allow).map((x) => `${x.type} ${x.major ?? '*'}:${x.minor ?? '*'} ${x.access}`)
    expect(new Set(allowed)).toEqual(new Set([
      'c 1:3 rwm', 'c 1:5 rwm', 'c 1:7 rwm', 'c 1:8 rwm', 'c 1:9 rwm', 'c 5:0 rwm', 'c 5:1 rwm', 'c 5:2 rwm',
      'c 136:* rwm', 'c 10:200 rwm', 'c *:* m', 'b *:* m',
    ]))
    expect(r.filter((x) => !x.allow).slice(1)).toEqual([{ allow: false, type: 'c', major: 10, minor: 229, access: 'rwm' }])
  })

  it('--device adds its node with its permissions, after the defaults; --privileged allows all', () => {
    const r = deviceCgroupRules(false, [{ mapping: { PathOnHost: '/dev/loop-control', PathInContainer: '/dev/lc', CgroupPermissions: 'rw' }, node: { type: 'c', major: 10, minor: 237 } }])
    expect(r).toContainEqual({ allow: true, type: 'c', major: 10, minor: 237, access: 'rw' })
    expect(r.findIndex((x) => x.minor === 237)).toBeGreaterThan(r.findIndex((x) => x.minor === 229))
    expect(deviceCgroupRules(true, [])).toEqual([{ allow: true, access: 'rwm' }])
  })
})
