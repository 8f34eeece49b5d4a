// Hostile and broken tarballs given to `import`: nothing escapes, nothing half-made remains.
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { busyboxRootfs, lines, rand, show, STACK_TRACE, storeFiles, SUPPORT } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-hostile-'))
const hostFiles: string[] = []
afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true })
  for (const f of hostFiles) fs.rmSync(f, { recursive: true, force: true })
})

const PAYLOAD = 'pwned by a hostile tar\n'

function makeTar(kind: string, target?: string): string {
  const out = path.join(work, `${kind}-${rand()}.tar`)
  execFileSync('python3', [path.join(SUPPORT, 'make_tar.py'), out, kind, busyboxRootfs(), ...(target ? [target] : [])])
  return out
}

/** A host path that must never be created. */
function marker(): string {
  const p = `/tmp/tsrun-pwned-${rand()}`
  hostFiles.push(p)
  return p
}

/** A host file that must never change. */
function victimFile(): { path: string; check: () => void } {
  const p = path.join(os.tmpdir(), `tsrun-victim-${rand()}`)
  fs.writeFileSync(p, 'original\n', { mode: 0o600 })
  hostFiles.push(p)
  const ino = fs.statSync(p).ino
  return {
    path: p,
    check: () => {
      const st = fs.lstatSync(p)
      expect(st.isFile(), `${p} replaced`).toBe(true)
      expect(st.ino).toBe(ino)
      expect(st.nlink, `${p} got a hard link`).toBe(1)
      expect(st.mode & 0o7777).toBe(0o600)
      expect(fs.readFileSync(p, 'utf8')).toBe('original\n')
    },
  }
}

function victimDir(): { path: string; check: () => void } {
  const p = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-victimdir-'))
  fs.chmodSync(p, 0o700)
  hostFiles.push(p)
  return {
    path: p,
    check: () => {
      expect(fs.statSync(p).mode & 0o7777).toBe(0o700)
      expect(fs.readdirSync(p)).toEqual([])
    },
  }
}

async function imageRefs(): Promise<string[]> {
  return (await t.imagesJson()).map((o) => `${o.Repository}:${o.Tag}`).sort()
}


/**
 * Import `tar` as `ref`. Either it fails cleanly (125, one line, no image, the store
 * unchanged) or it succeeds; returns whether it succeeded.
 */
async function importEitherWay(tar: string, ref: string): Promise<boolean> {
  const imagesBefore = await imageRefs()
  const filesBefore = storeFiles(t.root)
  const r = await t.run(['import', tar, ref], { timeout: 60_000 })
  if (r.code === 0) {
    expect(r.stdout.trim()).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(await imageRefs()).toContain(ref)
    return true
  }
  expect(r.code, show(r)).toBe(125)
  expect(lines(r.stderr), show(r)).toHaveLength(1)
  expect(r.stderr).not.toMatch(STACK_TRACE)
  expect(await imageRefs()).toEqual(imagesBefore)
  expect(storeFiles(t.root)).toEqual(filesBefore)
  return false
}

/** Run a shell snippet in an image, return stdout. */
async function inside(ref: string, script: string): Promise<string> {
  const r = await t.run(['run', '--rm', ref, 'sh', '-c', script])
  expect(r.code, show(r)).toBe(0)
  return r.stdout
}

describe('not a tar', () => {
  for (const kind of ['text', 'gzip-text', 'truncated'] as const) {
    it(`${kind}: 125, one clear line, images unchanged, nothing left in the store`, async () => {
      const tar = makeTar(kind)
      const imagesBefore = await t.imageSummary()
      const filesBefore = storeFiles(t.root)
      const r = await t.run(['import', tar, `bad-${kind}:1`])
      expect(r.code, show(r)).toBe(125)
      if (kind !== 'truncated') expect(r.stderr).toMatch(/not a tar archive/i)
      expect(lines(r.stderr), show(r)).toHaveLength(1)
      expect(r.stderr).not.toMatch(STACK_TRACE)
      expect(await t.imageSummary()).toEqual(imagesBefore)
      expect(storeFiles(t.root)).toEqual(filesBefore)
    })
  }

  it('from stdin too', async () => {
    const filesBefore = storeFiles(t.root)
    const r = await t.run(['import', '-', 'bad-stdin:1'], { input: 'definitely not a tar\n'.repeat(100) })
    expect(r.code, show(r)).toBe(125)
    expect(r.stderr).toMatch(/not a tar archive/i)
    expect(storeFiles(t.root)).toEqual(filesBefore)
    expect(await imageRefs()).not.toContain('bad-stdin:1')
  })

  it('a file that does not exist', async () => {
    const missing = path.join(work, 'missing.tar')
    const r = await t.run(['import', missing, 'missing:1'])
    expect(r.code, show(r)).toBe(125)
    expect(r.stderr).toContain(missing)
    expect(r.stderr).not.toMatch(STACK_TRACE)
  })
})

describe('entries that try to escape the rootfs', () => {
  // kind -> where the payload lands when confined inside the rootfs (the marker path itself)
  for (const kind of ['dotdot', 'dotdot-dir', 'absolute', 'symlink-root', 'symlink-up'] as const) {
    it(`${kind}: the host path is untouched; if imported, the file is inside the container`, async () => {
      const target = marker()
      const tar = makeTar(kind, target)
      const ref = `hostile-${kind}:1`
      const ok = await importEitherWay(tar, ref)
      expect(fs.existsSync(target), `${target} was written on the host`).toBe(false)
      if (ok) {
        expect(await inside(ref, `cat ${target}`)).toBe(PAYLOAD)
        expect(fs.existsSync(target)).toBe(false)
        // the image still works as an image
        expect(await inside(ref, 'echo still-fine')).toBe('still-fine\n')
      }
    })
  }

  it('symlink to a host file, then a regular file through it: the host file is untouched', async () => {
    const v = victimFile()
    const ref = 'hostile-symlink-file:1'
    const ok = await importEitherWay(makeTar('symlink-file', v.path), ref)
    v.check()
    if (ok) {
      // whichever way it was resolved, it resolved inside: /victim reads the payload
      expect(await inside(ref, 'cat /victim')).toBe(PAYLOAD)
      v.check()
    }
  })

  it('symlink to a host directory, then a directory entry with mode 0777: the host dir keeps its mode', async () => {
    const v = victimDir()
    await importEitherWay(makeTar('symlink-chmod', v.path), 'hostile-symlink-chmod:1')
    v.check()
  })

  for (const kind of ['hardlink-abs', 'hardlink-up', 'hardlink-write'] as const) {
    it(`${kind}: a hard link to a host file is refused or confined; the host file is untouched`, async () => {
      const v = victimFile()
      const ref = `hostile-${kind}:1`
      const ok = await importEitherWay(makeTar(kind, v.path), ref)
      v.check()
      if (ok) {
        // if anything exists at /hl it is not the host file
        const out = await inside(ref, 'cat /hl 2>/dev/null; true')
        expect(out).not.toContain('original')
        v.check()
      }
    })
  }
})

describe('after all the hostile input', () => {
  it('the store still works', async () => {
    const r = await t.run(['run', '--rm', 'demo:1', 'echo', 'alive'])
    expect(r.code, show(r)).toBe(0)
    expect(r.stdout).toBe('alive\n')
    const again = await t.run(['import', busyboxRootfs(), 'again:1'])
    expect(again.code, show(again)).toBe(0)
  })
})
