// Commands that write a file on the host (save -o, cp to a host path):
// a bad path or a failed write is one line and exit 125, never an
// unhandled 'error' event, and no temp or half-written file is left.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { lines, show, STACK_TRACE } from '../support/tsrun'
import { useRoot } from '../support/suite'
import { useTmpfs } from '../support/tmpfs'

const { t } = useRoot()
const tmpfs = useTmpfs()
let work: string

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-out-'))
  await t.ok(['run', '--name', 'src', 'demo:1', 'sh', '-c', 'dd if=/dev/zero of=/big bs=1M count=3 2>/dev/null; mkdir -p /tree/sub; cp /big /tree/sub/'])
}, 120_000)

afterAll(() => fs.rmSync(work, { recursive: true, force: true }))

function oneLine(r: Awaited<ReturnType<typeof t.run>>, expected: string | RegExp): void {
  expect(r.code, show(r)).toBe(125)
  expect(r.stderr).not.toMatch(STACK_TRACE)
  expect(r.stderr).not.toMatch(/Unhandled 'error' event/)
  expect(lines(r.stderr), show(r)).toHaveLength(1)
  if (typeof expected === 'string') expect(lines(r.stderr)[0]).toBe(expected)
  else expect(r.stderr).toMatch(expected)
}

describe('save -o', () => {
  it('into a directory that does not exist: Docker\'s "invalid output path", nothing written', async () => {
    oneLine(await t.run(['save', '-o', '/nonexistent/dir/x.tar', 'demo:1']), 'Error: invalid output path: directory "/nonexistent/dir" does not exist')
    expect(fs.existsSync('/nonexistent')).toBe(false)
  })

  it('the path is checked before the image is looked up, as in Docker', async () => {
    oneLine(await t.run(['save', '-o', '/nonexistent/dir/x.tar', 'nope:1']), /invalid output path/)
  })

  it('onto a directory or a device', async () => {
    oneLine(await t.run(['save', '-o', work, 'demo:1']), `Error: invalid output path: "${work}" is a directory; give a file name`)
    oneLine(await t.run(['save', '-o', '/dev/null', 'demo:1']), 'Error: invalid output path: "/dev/null" must be a regular file')
    expect(fs.readdirSync(work)).toEqual([])
  })

  it('on a read-only filesystem', async () => {
    const ro = tmpfs('1m', { readOnly: true }).dir
    oneLine(await t.run(['save', '-o', path.join(ro, 'x.tar'), 'demo:1']), `Error: cannot write ${path.join(ro, 'x.tar')}: read-only file system`)
  })

  it('that works leaves exactly the file, and overwrites an old one whole', async () => {
    const file = path.join(work, 'ok.tar')
    fs.writeFileSync(file, 'old content')
    await t.ok(['save', '-o', file, 'demo:1'])
    expect(fs.readdirSync(work)).toEqual(['ok.tar'])
    expect(fs.statSync(file).size).toBeGreaterThan(2_000_000)
    fs.rmSync(file)
  })
})

describe('cp to a host path', () => {
  it('under a parent that does not exist: one line', async () => {
    oneLine(await t.run(['cp', 'src:/etc/hostname', '/nonexistent/dir/x']), /^Error: cp src:\/etc\/hostname \/nonexistent\/dir\/x: .*no such file or directory/)
  })

  it('onto a full disk: one line naming it, and no half-written file or tree left', async () => {
    const full = tmpfs('1m').dir
    oneLine(await t.run(['cp', 'src:/big', path.join(full, 'big')]), new RegExp(`no space left on device`))
    oneLine(await t.run(['cp', 'src:/tree', full + '/']), new RegExp(`no space left on device`))
    expect(fs.readdirSync(full)).toEqual([])
    // What the disk can hold still copies.
    await t.ok(['cp', 'src:/etc/hostname', full + '/'])
    expect(fs.readdirSync(full)).toEqual(['hostname'])
  })
})
