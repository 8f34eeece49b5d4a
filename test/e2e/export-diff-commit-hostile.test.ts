// Issue 10: diff, export and commit read what a container wrote, which is
// hostile input: symlinks pointing out of the rootfs (also swapped in while
// we read), special files, a huge sparse file, names with newlines. Nothing
// may follow a link out to the host, read a host file, hang on a fifo, or
// lose the file type.
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import { BIN, lines, rand, show, waitFor } from '../support/tsrun'
import { useRoot } from '../support/suite'
import { tarEntries } from '../support/tar-list'

const { t } = useRoot()

/** `tsrun ARGS` with its stdout as bytes. */
function binary(args: string[]): { code: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync(BIN, args, { env: { ...process.env, ...t.env }, maxBuffer: 512 << 20, timeout: 60_000 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.toString() }
}

/** A directory the host has at / and the busybox image has not: what following `/x -> /` out would reach. */
const HOST_ONLY = ['work', 'boot', 'opt', 'srv', 'home'].find((d) => fs.existsSync(`/${d}`) && fs.readdirSync(`/${d}`).length > 0)

for (const driver of ['overlay', 'bind']) {
  describe(`--storage-driver ${driver}`, () => {
    const sd = ['--storage-driver', driver]

    it('symlinks pointing out of the rootfs stay symlinks in diff, export and commit', async () => {
      const name = `links-${driver}-${rand()}`
      await t.ok(['run', '--name', name, ...sd, 'demo:1', 'sh', '-c', 'ln -s / /escape && ln -s ../../../../../etc/shadow /etc/up && mkdir /d && ln -s /proc/self/root /d/proc-root'])
      const diff = await t.ok(['diff', name])
      expect(lines(diff.stdout), show(diff)).toEqual(['A /d', 'A /d/proc-root', 'A /escape', 'C /etc', 'A /etc/up'])
      const tar = binary(['export', name])
      expect(tar.code, tar.stderr).toBe(0)
      const entries = tarEntries(tar.stdout)
      expect(entries.find((e) => e.name === 'escape')).toMatchObject({ type: '2', linkname: '/' })
      expect(entries.find((e) => e.name === 'etc/up')).toMatchObject({ type: '2', linkname: '../../../../../etc/shadow' })
      expect(entries.find((e) => e.name === 'd/proc-root')).toMatchObject({ type: '2', linkname: '/proc/self/root' })
      expect(entries.filter((e) => /^(escape|d\/proc-root|etc\/up)\//.test(e.name))).toEqual([])
      const ref = `links-${driver}:1`
      await t.ok(['commit', name, ref])
      const run = await t.run(['run', '--rm', ref, 'sh', '-c', 'readlink /escape; readlink /etc/up; readlink /d/proc-root'])
      expect(run.stdout, show(run)).toBe('/\n../../../../../etc/shadow\n/proc/self/root\n')
    })

    it('fifos and device nodes are archived as what they are, never opened, and run again from the committed image', async () => {
      const name = `special-${driver}-${rand()}`
      const r = await t.run(['run', '--name', name, ...sd, 'demo:1', 'sh', '-c', 'mkfifo /fifo && mknod /chr c 1 3 && mknod /blk b 7 0 && echo made'])
      expect(r.stdout, show(r)).toBe('made\n')
      const diff = await t.ok(['diff', name], { timeout: 20_000 })
      expect(lines(diff.stdout)).toEqual(['A /blk', 'A /chr', 'A /fifo'])
      const tar = binary(['export', name])
      expect(tar.code, tar.stderr).toBe(0)
      const entries = tarEntries(tar.stdout)
      expect(entries.find((e) => e.name === 'fifo')).toMatchObject({ type: '6', size: 0 })
      expect(entries.find((e) => e.name === 'chr')).toMatchObject({ type: '3', devmajor: 1, devminor: 3 })
      expect(entries.find((e) => e.name === 'blk')).toMatchObject({ type: '4', devmajor: 7, devminor: 0 })
      const ref = `special-${driver}:1`
      await t.ok(['commit', name, ref])
      const run = await t.run(['run', '--rm', ref, 'sh', '-c', 'test -p /fifo && echo fifo; test -c /chr && echo chr; test -b /blk && echo blk'])
      expect(run.stdout, show(run)).toBe('fifo\nchr\nblk\n')
    })

    it('a name with a newline in it is one path in diff --format json, export and the committed image', async () => {
      const name = `newline-${driver}-${rand()}`
      await t.ok(['run', '--name', name, ...sd, 'demo:1', 'sh', '-c', 'touch "$(printf \'/a\\nb\')" && echo x > "/etc/with space"'])
      const diff = JSON.parse((await t.ok(['diff', '--format', 'json', name])).stdout)
      expect(diff.added).toEqual(['/a\nb', '/etc/with space'])
      // docker diff prints the name as it is: the newline splits the line.
      expect((await t.ok(['diff', name])).stdout).toContain('A /a\nb\n')
      const names = tarEntries(binary(['export', name]).stdout).map((e) => e.name)
      expect(names).toEqual(expect.arrayContaining(['a\nb', 'etc/with space']))
      const ref = `newline-${driver}:1`
      await t.ok(['commit', name, ref])
      const run = await t.run(['run', '--rm', ref, 'sh', '-c', 'test -e "$(printf \'/a\\nb\')" && cat "/etc/with space"'])
      expect(run.stdout, show(run)).toBe('x\n')
    })

    it('hard links stay one file with two names through commit', async () => {
      const name = `hard-${driver}-${rand()}`
      await t.ok(['run', '--name', name, ...sd, 'demo:1', 'sh', '-c', 'echo one > /one && ln /one /two'])
      const ref = `hard-${driver}:1`
      await t.ok(['commit', name, ref])
      // Same inode in the image (overlay's copy-up separates them on a later write, as in Docker).
      const run = await t.run(['run', '--rm', ref, 'sh', '-c', 'cat /one /two; stat -c %h /one; test "$(stat -c %i /one)" = "$(stat -c %i /two)" && echo same'])
      expect(run.stdout, show(run)).toBe('one\none\n2\nsame\n')
    })

    it('a huge sparse file is exported whole in a stream, and diff lists it without reading it', async () => {
      const name = `sparse-${driver}-${rand()}`
      await t.ok(['run', '--name', name, ...sd, 'demo:1', 'sh', '-c', 'dd if=/dev/zero of=/sparse bs=1 count=1 seek=536870911 2>/dev/null && ls -l /sparse'])
      expect(lines((await t.ok(['diff', name])).stdout)).toEqual(['A /sparse'])
      // Read as a stream (headers only kept): the archive is 512 MiB of zeros for that file.
      const reader = 'import sys, tarfile\nfor m in tarfile.open(fileobj=sys.stdin.buffer, mode="r|"):\n    print(m.name, m.size) if m.name == "sparse" else None'
      const r = spawnSync('bash', ['-o', 'pipefail', '-c', `"${BIN}" export "${name}" | python3 -c '${reader}'`], { env: { ...process.env, ...t.env }, encoding: 'utf8', timeout: 120_000 })
      expect(r.status, r.stderr).toBe(0)
      expect(r.stdout).toBe('sparse 536870912\n')
    })

    it('a container swapping a directory for a symlink to / while it is read never leads diff, export or commit to the host', async () => {
      expect(HOST_ONLY, 'this host has none of /work /boot /opt /srv /home with files in it').toBeDefined()
      const name = `swap-${driver}-${rand()}`
      const loop = 'while true; do rm -rf /x; mkdir -p /x; echo in > /x/file; rm -rf /x; ln -s / /x; done'
      await t.ok(['run', '-d', '--name', name, ...sd, 'demo:1', 'sh', '-c', loop])
      try {
        await waitFor(async () => (await t.run(['exec', name, 'test', '-e', '/x'])).code === 0, 'the swapping loop to start')
        for (let i = 0; i < 8; i++) {
          const diff = await t.ok(['diff', name])
          expect(diff.stdout).not.toContain(`/x/${HOST_ONLY}`)
          const tar = binary(['export', name])
          expect(tar.code, tar.stderr).toBe(0)
          expect(tarEntries(tar.stdout).filter((e) => e.name.startsWith(`x/${HOST_ONLY}`))).toEqual([])
        }
        const ref = `swap-${driver}:1`
        await t.ok(['commit', '--pause=false', name, ref])
        await t.ok(['create', '--name', `${name}-copy`, ref, 'true'])
        const tar = binary(['export', `${name}-copy`])
        expect(tar.code, tar.stderr).toBe(0)
        expect(tarEntries(tar.stdout).filter((e) => e.name.startsWith(`x/${HOST_ONLY}`))).toEqual([])
      } finally {
        await t.run(['rm', '-f', name])
      }
    })
  })
}
