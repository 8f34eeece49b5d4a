// A volume or bind over /etc must not hide the engine's /etc/hostname,
// /etc/hosts and /etc/resolv.conf; a bind on one of those replaces it.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { show } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()

describe('mounts over /etc', () => {
  it('a volume on /etc keeps the image files (copy-up) and the engine\'s hostname', async () => {
    const r = await t.run(['run', '--rm', '--hostname', 'etc-test', '-v', 'etcdata:/etc', 'demo:1', 'sh', '-c', 'cat /etc/hostname; grep -c root /etc/passwd'])
    expect(r.code, show(r)).toBe(0)
    expect(r.stdout).toBe('etc-test\n1\n')
    await t.ok(['volume', 'rm', 'etcdata'])
  })

  it('a bind on /etc/hosts replaces the engine\'s hosts file', async () => {
    const hosts = path.join(t.root, 'my-hosts')
    fs.writeFileSync(hosts, '10.9.8.7 mine\n')
    const r = await t.run(['run', '--rm', '-v', `${hosts}:/etc/hosts:ro`, 'demo:1', 'cat', '/etc/hosts'])
    expect(r.code, show(r)).toBe(0)
    expect(r.stdout).toBe('10.9.8.7 mine\n')
  })
})
