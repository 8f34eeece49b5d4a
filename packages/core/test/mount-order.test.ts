import { describe, expect, it } from 'vitest'
import { orderMounts } from '../src/containers/oci-spec'

const m = (destination: string, source = 'engine') => ({ destination, source })

describe('mount order in the runtime spec', () => {
  it('puts a user mount on /etc before the engine\'s /etc/hosts, so it does not hide it', () => {
    const out = orderMounts([m('/proc'), m('/dev'), m('/dev/pts'), m('/etc/hosts')], [m('/etc', 'user')])
    expect(out.map((x) => x.destination)).toEqual(['/proc', '/dev', '/etc', '/dev/pts', '/etc/hosts'])
  })
  it('lets a user mount replace the engine\'s on the same destination', () => {
    const out = orderMounts([m('/etc/hosts'), m('/etc/hostname')], [m('/etc/hosts', 'user')])
    expect(out).toEqual([m('/etc/hostname'), m('/etc/hosts', 'user')])
  })
  it('keeps the user\'s order among mounts of the same depth', () => {
    const out = orderMounts([], [m('/b', 'user'), m('/a', 'user'), m('/a/x', 'user')])
    expect(out.map((x) => x.destination)).toEqual(['/b', '/a', '/a/x'])
  })
})
