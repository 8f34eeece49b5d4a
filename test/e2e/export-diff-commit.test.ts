// Issue 10: `tsrun diff`, `export` and `commit` (and `container diff|export|commit`),
// as docker's: the same output, order and exit codes, on the overlay and the
// bind storage driver, for running and stopped containers.
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { BIN, lines, rand, show, waitFor } from '../support/tsrun'
import { useRoot } from '../support/suite'
import { tarEntries } from '../support/tar-list'

const { t } = useRoot()

/** What the test containers do to the busybox image: add, change, delete a file and delete a tree. */
const CHANGES = 'echo new > /etc/new && echo root2 >> /etc/group && rm /etc/passwd && rm -rf /usr'

/** `tsrun ARGS` with its stdout as bytes (a tar). */
function binary(args: string[]): { code: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync(BIN, args, { env: { ...process.env, ...t.env }, maxBuffer: 512 << 20, timeout: 60_000 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.toString() }
}

for (const driver of ['overlay', 'bind']) {
  describe(`--storage-driver ${driver}`, () => {
    const sd = ['--storage-driver', driver]

    it("diff lists A, C and D as docker diff does (a changed directory's parent is C, a deleted tree is one D)", async () => {
      const name = `diff-${driver}-${rand()}`
      await t.ok(['run', '--name', name, ...sd, 'demo:1', 'sh', '-c', CHANGES])
      const r = await t.ok(['diff', name])
      // Docker's order (a directory before its contents, as its walk
      // visits them), and no line for /etc/hosts, /etc/hostname or
      // /etc/resolv.conf: those are tsrun's own mount targets.
      expect(lines(r.stdout), show(r)).toEqual(['C /etc', 'C /etc/group', 'A /etc/new', 'D /etc/passwd', 'D /usr'])
      expect(r.stderr).toBe('')
      const alias = await t.ok(['container', 'diff', name])
      expect(alias.stdout).toBe(r.stdout)
    })

    it("diff --format json is podman's object of changed, added and deleted paths", async () => {
      const name = `diffj-${driver}-${rand()}`
      await t.ok(['run', '--name', name, ...sd, 'demo:1', 'sh', '-c', CHANGES])
      const r = await t.ok(['diff', '--format', 'json', name])
      expect(JSON.parse(r.stdout)).toEqual({ changed: ['/etc', '/etc/group'], added: ['/etc/new'], deleted: ['/etc/passwd', '/usr'] })
      // podman's encoder indents by five spaces.
      expect(r.stdout).toMatch(/^\{\n {5}"changed": \[\n {10}"\/etc",/)
    })

    it('diff of a container that changed nothing prints nothing and exits 0', async () => {
      const name = `same-${driver}-${rand()}`
      await t.ok(['create', '--name', name, ...sd, 'demo:1', 'true'])
      const r = await t.ok(['diff', name])
      expect(r.stdout).toBe('')
    })

    it('diff of a running container sees what it has written so far', async () => {
      const name = `live-${driver}-${rand()}`
      await t.ok(['run', '-d', '--name', name, ...sd, 'demo:1', 'sh', '-c', 'mkdir -p /srv/app && echo up > /srv/app/state && sleep 300'])
      try {
        await waitFor(async () => (await t.run(['exec', name, 'test', '-s', '/srv/app/state'])).code === 0, 'the container to write its state')
        const out = (await t.ok(['diff', name])).stdout
        expect(lines(out)).toEqual(['A /srv', 'A /srv/app', 'A /srv/app/state'])
      } finally {
        await t.run(['rm', '-f', name])
      }
    })

    it('export writes the whole filesystem, changes applied, which import turns into an image again', async () => {
      const name = `exp-${driver}-${rand()}`
      await t.ok(['run', '--name', name, ...sd, 'demo:1', 'sh', '-c', CHANGES])
      const file = path.join(t.root, `${name}.tar`)
      await t.ok(['export', '-o', file, name])
      const names = tarEntries(file).map((e) => e.name)
      expect(names).toContain('etc/new')
      expect(names).toContain('bin/busybox')
      expect(names).not.toContain('etc/passwd')
      expect(names.some((n) => n === 'usr' || n.startsWith('usr/'))).toBe(false)
      // No leftover temp file beside it.
      expect(fs.readdirSync(t.root).filter((f) => f.includes(name))).toEqual([`${name}.tar`])
      const ref = `exported-${driver}:1`
      await t.ok(['import', file, ref])
      const run = await t.run(['run', '--rm', ref, 'sh', '-c', 'cat /etc/new; test -e /etc/passwd || echo no-passwd; test -e /usr || echo no-usr'])
      expect(run.stdout, show(run)).toBe('new\nno-passwd\nno-usr\n')
    })

    it('export to a pipe is the same archive, and container export is export', async () => {
      const name = `pipe-${driver}-${rand()}`
      await t.ok(['run', '--name', name, ...sd, 'demo:1', 'sh', '-c', CHANGES])
      const a = binary(['export', name])
      const b = binary(['container', 'export', name])
      expect(a.code, a.stderr).toBe(0)
      expect(b.code, b.stderr).toBe(0)
      const list = (buf: Buffer) => tarEntries(buf).map((e) => `${e.type} ${e.name} ${e.size}`)
      expect(list(a.stdout)).toEqual(list(b.stdout))
      expect(list(a.stdout)).toContain('0 etc/new 4')
    })

    it("export of a running container leaves out its volumes and its /dev, /proc and /sys mounts, as docker's", async () => {
      const name = `expvol-${driver}-${rand()}`
      await t.ok(['run', '-d', '--name', name, ...sd, '-v', `vol-${name}:/data`, 'demo:1', 'sh', '-c', 'echo secret > /data/in-volume && echo mine > /mine && sleep 300'])
      try {
        await waitFor(async () => (await t.run(['exec', name, 'test', '-e', '/mine'])).code === 0, 'the container to write /mine')
        const r = binary(['export', name])
        expect(r.code, r.stderr).toBe(0)
        const names = tarEntries(r.stdout).map((e) => e.name)
        expect(names).toContain('mine')
        expect(names).toContain('data')
        expect(names).not.toContain('data/in-volume')
        expect(names.filter((n) => /^(dev|proc|sys)\/./.test(n))).toEqual([])
        // Still running, never paused.
        expect((await t.inspect(name)).State).toMatchObject({ Running: true, Paused: false })
      } finally {
        await t.run(['rm', '-f', '-v', name])
      }
    })

    it('commit makes an image of the changes that runs, with --change, author and message, and history shows it', async () => {
      const name = `com-${driver}-${rand()}`
      await t.ok(['run', '--name', name, ...sd, '-e', 'FROM_RUN=1', 'demo:1', 'sh', '-c', CHANGES])
      const ref = `committed-${driver}:1`
      const r = await t.ok(['commit', '-a', 'Jo Doe <jo@example.com>', '-m', 'drop passwd', '-c', 'ENV MODE=prod', '-c', 'CMD ["cat", "/etc/new"]', '--change', 'LABEL stage="one two"', '-c', 'WORKDIR /etc', name, ref])
      expect(r.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/)
      const id = r.stdout.trim()
      const img = JSON.parse((await t.ok(['image', 'inspect', ref])).stdout)[0]
      expect(img.Id).toBe(id)
      expect(img.Author).toBe('Jo Doe <jo@example.com>')
      expect(img.Config.Env).toEqual(expect.arrayContaining(['FROM_RUN=1', 'MODE=prod']))
      expect(img.Config.Cmd).toEqual(['cat', '/etc/new'])
      expect(img.Config.Labels).toEqual({ stage: 'one two' })
      expect(img.Config.WorkingDir).toBe('/etc')
      expect(img.RootFS.Layers).toHaveLength(2)
      // The image's own command, then its files: deletions are whiteouts the drivers apply.
      const run = await t.run(['run', '--rm', ref])
      expect(run.stdout, show(run)).toBe('new\n')
      for (const d of ['overlay', 'bind']) {
        const c = await t.run(['run', '--rm', '--storage-driver', d, ref, 'sh', '-c', 'pwd; cat group | tail -1; test -e passwd || echo no-passwd; test -e /usr || echo no-usr; echo $MODE'])
        expect(c.stdout, show(c)).toBe('/etc\nroot2\nno-passwd\nno-usr\nprod\n')
      }
      const history = await t.ok(['history', '--no-trunc', '--format', '{{.ID}}|{{.CreatedBy}}|{{.Comment}}', ref])
      const rows = lines(history.stdout)
      expect(rows).toHaveLength(2)
      expect(rows[0]).toBe(`${id}|sh -c ${CHANGES}|drop passwd`)
      expect(rows[1]).toMatch(/^<missing>\|tsrun import\|/)
    })

    it('a directory deleted and made again hides what the image had in it, in the committed image too', async () => {
      const name = `opq-${driver}-${rand()}`
      await t.ok(['run', '--name', name, ...sd, 'demo:1', 'sh', '-c', 'rm -rf /var && mkdir /var && echo x > /var/only'])
      const diff = lines((await t.ok(['diff', name])).stdout)
      // overlay makes /var opaque, which Docker's overlay2 reports as D;
      // the bind driver's naive diff sees the same directory with its old
      // files gone. Both are Docker's, driver for driver.
      if (driver === 'overlay') expect(diff).toEqual(['D /var', 'A /var/only'])
      else expect(diff).toEqual(['C /var', 'A /var/only', 'D /var/tmp'])
      const ref = `opq-${driver}:1`
      await t.ok(['commit', name, ref])
      for (const d of ['overlay', 'bind']) {
        const run = await t.run(['run', '--rm', '--storage-driver', d, ref, 'sh', '-c', 'ls -A /var; test -e /var/tmp || echo no-tmp'])
        expect(run.stdout, show(run)).toBe('only\nno-tmp\n')
      }
    })

    it('commit without a name leaves an unnamed image; container commit is commit', async () => {
      const name = `anon-${driver}-${rand()}`
      await t.ok(['run', '--name', name, ...sd, 'demo:1', 'sh', '-c', 'echo x > /x'])
      const id = (await t.ok(['container', 'commit', name])).stdout.trim()
      expect(id).toMatch(/^sha256:[0-9a-f]{64}$/)
      const images = await t.imagesJson()
      expect(images.find((i: any) => id.startsWith(`sha256:${i.ID}`))).toMatchObject({ Repository: '<none>', Tag: '<none>' })
      const run = await t.run(['run', '--rm', id.slice(7, 19), 'cat', '/x'])
      expect(run.stdout, show(run)).toBe('x\n')
      await t.ok(['rmi', id])
    })

    it('commit of an unchanged container is an image with an empty layer, which runs', async () => {
      const name = `empty-${driver}-${rand()}`
      await t.ok(['create', '--name', name, ...sd, 'demo:1', 'true'])
      const ref = `unchanged-${driver}:1`
      await t.ok(['commit', name, ref])
      const run = await t.run(['run', '--rm', ref, 'echo', 'ok'])
      expect(run.stdout, show(run)).toBe('ok\n')
    })

    it('commit pauses a running container meanwhile and leaves it running (and not paused) after', async () => {
      const name = `run-${driver}-${rand()}`
      await t.ok(['run', '-d', '--name', name, ...sd, 'demo:1', 'sh', '-c', 'echo live > /live && sleep 300'])
      try {
        await waitFor(async () => (await t.run(['exec', name, 'test', '-e', '/live'])).code === 0, 'the container to write /live')
        await t.ok(['commit', name, `live-${driver}:1`])
        expect((await t.inspect(name)).State).toMatchObject({ Running: true, Paused: false })
        await t.ok(['commit', '--pause=false', name, `live-${driver}:2`])
        expect((await t.inspect(name)).State).toMatchObject({ Running: true, Paused: false })
        // A container the user paused stays paused.
        await t.ok(['pause', name])
        await t.ok(['commit', '-p', name, `live-${driver}:3`])
        expect((await t.inspect(name)).State).toMatchObject({ Running: true, Paused: true })
        await t.ok(['unpause', name])
        const run = await t.run(['run', '--rm', `live-${driver}:1`, 'cat', '/live'])
        expect(run.stdout, show(run)).toBe('live\n')
      } finally {
        await t.run(['rm', '-f', name])
      }
    })
  })
}

describe('refusals', () => {
  it("export to a terminal is refused with docker's words, and nothing is written", async () => {
    await t.ok(['create', '--name', 'tty-exp', 'demo:1', 'true'])
    const { pty } = await import('../support/pty')
    const r = await pty(t, ['export', 'tty-exp'], [{ expect: 'refusing' }])
    expect(r.output).toContain('Error: cowardly refusing to save to a terminal. Use the -o flag or redirect')
    expect(r.exitCode).toBe(125)
  })

  it('export -o into a directory that does not exist says so, exits 125, writes nothing', async () => {
    const r = await t.run(['export', '-o', path.join(t.root, 'no-such-dir', 'x.tar'), 'tty-exp'])
    expect(r.code).toBe(125)
    expect(r.stderr).toMatch(/^Error: invalid output path: directory ".*no-such-dir" does not exist\n$/)
  })

  it('diff, export and commit of a container that does not exist exit 125 naming it', async () => {
    for (const args of [['diff', 'nope-c'], ['export', '-o', path.join(t.root, 'n.tar'), 'nope-c'], ['commit', 'nope-c', 'x:1']]) {
      const r = await t.run(args)
      expect(r.code, show(r)).toBe(125)
      expect(r.stderr).toMatch(/No such container: nope-c/)
    }
    expect(fs.existsSync(path.join(t.root, 'n.tar'))).toBe(false)
  })

  it("diff --format other than json is refused as podman does", async () => {
    const r = await t.run(['diff', '--format', 'table', 'tty-exp'])
    expect(r.code).toBe(125)
    expect(r.stderr).toBe("Error: only supported value for '--format' is 'json'\n")
  })

  it('commit with a --change it cannot apply says which, exits 125 and stores nothing', async () => {
    await t.ok(['run', '--name', 'badchange', '-d', 'demo:1', 'sleep', '300'])
    try {
      const ids = async () => (await t.imagesJson()).map((i: any) => i.ID).sort()
      const before = await ids()
      for (const [change, why] of [
        ['FROM busybox', /FROM is not a valid change command/],
        ['EXPOSE 99999', /EXPOSE 99999: invalid port/],
        ['ENV', /ENV requires at least one argument/],
        ['LABEL "unterminated', /unterminated quote/],
      ] as const) {
        const r = await t.run(['commit', '-c', change, 'badchange', 'never:1'])
        expect(r.code, show(r)).toBe(125)
        expect(r.stderr).toMatch(why)
      }
      for (const [reference, why] of [
        ['never@sha256:' + 'a'.repeat(64), /cannot commit to a digest/],
        ['UPPER:1', /invalid reference|repository name must be lowercase/i],
      ] as const) {
        const r = await t.run(['commit', 'badchange', reference])
        expect(r.code, show(r)).toBe(125)
        expect(r.stderr).toMatch(why)
      }
      expect(await ids()).toEqual(before)
      expect((await t.inspect('badchange')).State).toMatchObject({ Running: true, Paused: false })
    } finally {
      await t.run(['rm', '-f', 'badchange'])
    }
  })
})
