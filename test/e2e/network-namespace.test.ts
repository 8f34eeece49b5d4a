// The network extension point (backends/network.ts): before each start the
// container's network backend prepares the namespace it joins, kept at
// RUNROOT/netns/ID for `none` (loopback only), none at all for `host`; it
// goes with rm, `container cleanup` (podman's) or a failed start, and the
// next start makes a fresh one. Nothing is left: no namespace file, no
// mount of the directory holding them.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { hostMountsMentioning, show } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()
const netnsDir = () => path.join(t.root, 'run', 'netns')
const files = () => (fs.existsSync(netnsDir()) ? fs.readdirSync(netnsDir()) : [])
/** The namespace a path or /proc/PID/ns/net names, as `net:[INODE]`. */
const nsOfFile = (p: string) => `net:[${fs.statSync(p).ino}]`

describe('network none: a namespace of its own, kept by the engine', () => {
  it('the container and its exec join RUNROOT/netns/ID, with lo up; stop keeps it, cleanup and rm give it back', async () => {
    const id = (await t.ok(['run', '-d', '--network', 'none', 'demo:1', 'sleep', '600'])).stdout.trim()
    expect(files()).toEqual([id])
    const file = path.join(netnsDir(), id)
    const pid = (await t.ok(['inspect', '-f', '{{.State.Pid}}', id])).stdout.trim()
    expect(fs.readlinkSync(`/proc/${pid}/ns/net`)).toBe(nsOfFile(file))
    expect(fs.readlinkSync(`/proc/${pid}/ns/net`)).not.toBe(fs.readlinkSync('/proc/self/ns/net'))
    expect((await t.ok(['exec', id, 'readlink', '/proc/self/ns/net'])).stdout.trim()).toBe(nsOfFile(file))
    // IFF_UP (0x1) and IFF_LOOPBACK (0x8): the loopback is up, and it is the only interface.
    expect((await t.ok(['exec', id, 'cat', '/sys/class/net/lo/flags'])).stdout.trim()).toBe('0x9')
    expect((await t.ok(['exec', id, 'ls', '/sys/class/net'])).stdout.split(/\s+/).filter(Boolean)).toEqual(['lo'])

    await t.ok(['stop', '-t', '0', id])
    expect(files()).toEqual([id])
    const cleaned = await t.run(['container', 'cleanup', id])
    expect([cleaned.code, cleaned.stdout.trim()], show(cleaned)).toEqual([0, id])
    expect(files()).toEqual([])
    // Idempotent, as podman's.
    expect((await t.run(['container', 'cleanup', id])).code).toBe(0)

    await t.ok(['start', id])
    expect(files()).toEqual([id])
    const pid2 = (await t.ok(['inspect', '-f', '{{.State.Pid}}', id])).stdout.trim()
    // (A namespace's inode number may be reused once the old one is freed: compared with the file, not with the first.)
    expect(fs.readlinkSync(`/proc/${pid2}/ns/net`)).toBe(nsOfFile(file))
    await t.ok(['rm', '-f', id])
    expect(files()).toEqual([])
    expect(hostMountsMentioning(netnsDir())).toEqual([])
  })

  it('cleanup of a running container is refused, one line, exit 125; of a missing one too', async () => {
    const id = (await t.ok(['run', '-d', 'demo:1', 'sleep', '600'])).stdout.trim()
    const r = await t.run(['container', 'cleanup', id])
    expect([r.code, r.stderr.trim()], show(r)).toEqual([125, `Error: container ${(await t.ok(['inspect', '-f', '{{.Name}}', id])).stdout.trim().replace(/^\//, '')} is running: stop it before cleaning it up`])
    expect(files()).toEqual([id])
    const missing = await t.run(['container', 'cleanup', 'ghost'])
    expect([missing.code, missing.stderr.trim()]).toEqual([125, 'Error: No such container: ghost'])
    await t.ok(['rm', '-f', id])
    expect(files()).toEqual([])
  })

  it('run --rm in the foreground and a start that fails leave no namespace', async () => {
    expect((await t.ok(['run', '--rm', 'demo:1', 'cat', '/sys/class/net/lo/flags'])).stdout).toBe('0x9\n')
    expect(files()).toEqual([])
    await t.ok(['create', '--name', 'broken', 'demo:1', '/no/such/program'])
    const r = await t.run(['start', 'broken'])
    expect(r.code, show(r)).toBe(127)
    expect(files()).toEqual([])
    await t.ok(['rm', 'broken'])
    expect(hostMountsMentioning(netnsDir())).toEqual([])
  })
})

describe('network host', () => {
  it("joins the host's namespace and makes none", async () => {
    const r = await t.ok(['run', '--rm', '--network', 'host', 'demo:1', 'readlink', '/proc/self/ns/net'])
    expect(r.stdout.trim()).toBe(fs.readlinkSync('/proc/self/ns/net'))
    expect(files()).toEqual([])
  })

  it('an unknown network is one line naming the ones there are, exit 125, nothing made', async () => {
    const r = await t.run(['run', '--rm', '--network', 'nonet', 'demo:1', 'true'])
    expect([r.code, r.stderr.trim()], show(r)).toEqual([125, 'Error: network "nonet" is not available: use --network host or --network none'])
    expect((await t.ok(['ps', '-aq'])).stdout).toBe('')
  })
})

describe('a namespace whose container is gone', () => {
  it('is given back by the next container prune', async () => {
    // What a tsrun killed after removing the record but before the teardown leaves.
    const id = (await t.ok(['run', '-d', 'demo:1', 'sleep', '600'])).stdout.trim()
    await t.ok(['stop', '-t', '0', id])
    const orphan = 'f'.repeat(64)
    fs.copyFileSync(path.join(netnsDir(), id), path.join(netnsDir(), orphan))
    expect(files().sort()).toEqual([id, orphan].sort())
    await t.ok(['container', 'prune', '-f'])
    expect(files()).toEqual([])
    expect(hostMountsMentioning(netnsDir())).toEqual([])
  })
})
