// Issue 10: a commit cut short loses nothing and leaves nothing: SIGTERM or
// Ctrl-C while it has the container paused thaws the container before tsrun
// ends by that signal; neither that nor a kill -9 leaves an image `images`
// shows, and what a killed commit spooled is collected by the next prune.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { lines, pidsWithCmdline, show, storeFiles, waitFor } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()

/** A running container whose commit takes a while: 768 MiB of (sparse) file to archive. */
async function bigContainer(name: string): Promise<void> {
  await t.ok(['run', '-d', '--name', name, 'demo:1', 'sh', '-c', 'dd if=/dev/zero of=/big bs=1 count=1 seek=805306367 2>/dev/null; touch /ready; sleep 300'])
  await waitFor(async () => (await t.run(['exec', name, 'test', '-e', '/ready'])).code === 0, 'the big file')
}

const imageIds = async () => lines((await t.ok(['images', '-a', '-q', '--no-trunc'])).stdout).sort()

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  it(`${signal} during a paused commit thaws the container, ends tsrun by that signal, and stores no image`, async () => {
    const name = `cut-${signal.toLowerCase()}`
    await bigContainer(name)
    try {
      const before = await imageIds()
      const child = t.spawn(['commit', name, `cut-${signal.toLowerCase()}:1`])
      let stderr = ''
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
      child.stdout!.resume()
      const exited = new Promise<{ code: number | null; sig: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, sig) => resolve({ code, sig })))
      await waitFor(async () => (await t.inspect(name)).State.Paused === true, 'the commit to pause the container', 20_000, 20)
      child.kill(signal)
      const end = await exited
      expect(end, stderr).toEqual({ code: null, sig: signal })
      expect((await t.inspect(name)).State).toMatchObject({ Running: true, Paused: false })
      expect(await imageIds()).toEqual(before)
      expect(storeFiles(t.root).filter((f) => f.startsWith('images/tmp/') || f.startsWith('tmp/'))).toEqual([])
    } finally {
      await t.run(['rm', '-f', name])
    }
  })
}

describe('kill -9 during a commit', () => {
  it('leaves no image, and the next image prune collects what it spooled', async () => {
    const name = 'cut-kill'
    await bigContainer(name)
    try {
      const before = await imageIds()
      const child = t.spawn(['commit', '--pause=false', name, 'cut-kill:1'])
      child.stdout!.resume()
      child.stderr!.resume()
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
      // Once its spool file exists, the layer is being written.
      await waitFor(() => storeFiles(t.root).some((f) => /tmp\//.test(f)), 'the layer spool file', 20_000, 10)
      child.kill('SIGKILL')
      await exited
      expect(await imageIds()).toEqual(before)
      const prune = await t.run(['image', 'prune', '-f'])
      expect(prune.code, show(prune)).toBe(0)
      expect(storeFiles(t.root).filter((f) => /(^|\/)tmp\//.test(f))).toEqual([])
      // The shim writing the layer ends with its reader (a broken pipe), and the container, never paused, runs on.
      await waitFor(() => pidsWithCmdline(`changes --upper ${t.root}`).length === 0, 'the layer writer to end')
      expect((await t.inspect(name)).State).toMatchObject({ Running: true, Paused: false })
    } finally {
      await t.run(['rm', '-f', name])
    }
  })
})

describe('kill -9 during a diff on the bind driver', () => {
  it('the image it was flattening is swept by the next diff, which answers the same', async () => {
    const name = 'cut-diff'
    await t.ok(['run', '--name', name, '--storage-driver', 'bind', 'demo:1', 'sh', '-c', 'echo x > /x'])
    const dir = path.join(t.root, 'containers', (await t.inspect(name)).Id)
    const bases = () => fs.readdirSync(dir).filter((f) => f.startsWith('.diff-base-'))
    let left: string[] = []
    // The flattening takes a moment: poll for it, kill as soon as it is there (a few tries).
    for (let i = 0; i < 10 && left.length === 0; i++) {
      const child = t.spawn(['diff', name])
      child.stdout!.resume()
      child.stderr!.resume()
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
      while (child.exitCode === null && bases().length === 0) await new Promise((r) => setImmediate(r))
      child.kill('SIGKILL')
      await exited
      left = bases()
    }
    expect(left.length, 'no diff was caught while flattening').toBeGreaterThan(0)
    const r = await t.ok(['diff', name])
    expect(lines(r.stdout)).toEqual(['A /x'])
    expect(bases()).toEqual([])
  })
})
