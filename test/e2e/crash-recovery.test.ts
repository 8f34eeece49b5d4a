// A `tsrun create` killed half-way leaves a container directory without a
// record (and maybe a name reservation). Nothing lists it; the next create
// sweeps it once it is old enough to be surely dead, and frees the name.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { show } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()

function plantAbandoned(id: string, name: string, ageMs: number): string {
  const dir = path.join(t.root, 'containers', id)
  fs.mkdirSync(path.join(dir, 'upper', 'etc'), { recursive: true })
  fs.writeFileSync(path.join(dir, 'upper', 'etc', 'half-written'), 'x')
  fs.mkdirSync(path.join(t.root, 'names'), { recursive: true })
  fs.symlinkSync(id, path.join(t.root, 'names', name))
  const then = new Date(Date.now() - ageMs)
  fs.utimesSync(dir, then, then)
  return dir
}

describe('a create that crashed half-way', () => {
  it('is invisible, then swept by the next create once old, and its name is free again', async () => {
    const dir = plantAbandoned('a'.repeat(64), 'ghost', 2 * 60 * 60 * 1000)
    expect((await t.psJson(true)).map((c) => c.Names)).not.toContain('ghost')
    const r = await t.run(['run', '--rm', '--name', 'ghost', 'demo:1', 'echo', 'reborn'])
    expect(r.code, show(r)).toBe(0)
    expect(r.stdout).toBe('reborn\n')
    expect(fs.existsSync(dir)).toBe(false)
  })

  it('is left alone while it may still be a create in progress', async () => {
    const dir = plantAbandoned('b'.repeat(64), 'busy', 1000)
    const r = await t.run(['run', '--rm', 'demo:1', 'true'])
    expect(r.code, show(r)).toBe(0)
    expect(fs.existsSync(dir)).toBe(true)
    const clash = await t.run(['create', '--name', 'busy', 'demo:1', 'true'])
    expect(clash.code, show(clash)).toBe(125)
    expect(clash.stderr).toMatch(/already in use/)
    fs.rmSync(dir, { recursive: true })
    fs.rmSync(path.join(t.root, 'names', 'busy'))
  })
})
