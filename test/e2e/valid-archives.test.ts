// Issue 17.12: valid input that was refused. A rootfs made by GNU tar's
// default format holds FIFOs with all-NUL device fields (and builders write
// devices so too); Docker unpacks them. Through import, and as a layer
// pulled from a registry.
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRegistry, type Registry } from '../support/registry'
import { busyboxRootfs, lines, show } from '../support/tsrun'
import { useFreshRoots } from '../support/suite'

const freshRoot = useFreshRoots()
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-gnutar-'))
let reg: Registry
let gnuTar = ''

beforeAll(async () => {
  reg = await startRegistry()
  // The busybox rootfs plus a FIFO and a device node, archived by GNU tar
  // itself in its default (gnu) format.
  const tree = path.join(work, 'tree')
  fs.mkdirSync(tree)
  execFileSync('tar', ['-xf', busyboxRootfs(), '-C', tree])
  fs.mkdirSync(path.join(tree, 'run', 'pipes'), { recursive: true })
  execFileSync('mkfifo', ['-m', '0620', path.join(tree, 'run', 'pipes', 'fifo')])
  execFileSync('mknod', ['-m', '0666', path.join(tree, 'run', 'pipes', 'zero'), 'c', '1', '5'])
  gnuTar = path.join(work, 'gnu.tar')
  execFileSync('tar', ['--format=gnu', '-cf', gnuTar, '-C', tree, '.'])
  // What the old unpacker choked on: the FIFO's device fields are all NUL.
  const raw = fs.readFileSync(gnuTar)
  let blank = false
  for (let off = 0; off + 512 <= raw.length; off += 512) {
    if (raw[off + 156] === 0x36 /* '6': FIFO */) blank = raw.subarray(off + 329, off + 345).every((b) => b === 0)
  }
  expect(blank, 'GNU tar wrote blank device fields for the FIFO').toBe(true)
}, 120_000)

afterAll(async () => {
  await reg?.stop()
  fs.rmSync(work, { recursive: true, force: true })
})

const CHECK = ['sh', '-c', 'test -p /run/pipes/fifo && stat -c "%a %t:%T" /run/pipes/fifo /run/pipes/zero && head -c 3 /run/pipes/zero | wc -c']

describe('FIFOs and devices with blank device numbers', () => {
  it('import of a GNU-tar rootfs unpacks them (overlay and bind storage)', async () => {
    const t = freshRoot()
    const r = await t.run(['import', gnuTar, 'gnu:1'])
    expect(r.code, show(r)).toBe(0)
    for (const driver of ['overlay', 'bind']) {
      const run = await t.run(['run', '--rm', '--storage-driver', driver, 'gnu:1', ...CHECK])
      expect(run.code, show(run)).toBe(0)
      expect(lines(run.stdout)).toEqual(['620 0:0', '666 1:5', '3'])
    }
  })

  it('a layer with them pulled from a registry', async () => {
    const src = freshRoot()
    await src.ok(['import', gnuTar, 'gnu:1'])
    const ref = `${reg.host}/gnu/fifo:1`
    await src.ok(['tag', 'gnu:1', ref])
    await src.ok(['push', ref], { timeout: 120_000 })
    const t = freshRoot()
    const pull = await t.run(['pull', ref], { timeout: 120_000 })
    expect(pull.code, show(pull)).toBe(0)
    const run = await t.run(['run', '--rm', ref, ...CHECK])
    expect(run.code, show(run)).toBe(0)
    expect(lines(run.stdout)).toEqual(['620 0:0', '666 1:5', '3'])
  })
})
