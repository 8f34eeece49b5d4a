import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { OverlayDriver } from '../src/overlay-driver'

describe('overlay driver after a killed unpack', () => {
  it('removes temp layer dirs older than an hour and keeps fresh ones', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-overlay-'))
    const layers = path.join(home, 'layers')
    fs.mkdirSync(path.join(layers, '.tmp-old', 'etc'), { recursive: true })
    fs.mkdirSync(path.join(layers, '.tmp-fresh'), { recursive: true })
    const then = new Date(Date.now() - 2 * 60 * 60 * 1000)
    fs.utimesSync(path.join(layers, '.tmp-old'), then, then)
    await new OverlayDriver(home).prepareLayers([])
    expect(fs.readdirSync(layers).sort()).toEqual(['.tmp-fresh'])
    fs.rmSync(home, { recursive: true })
  })

  it('removes at once the temp dir of an unpack whose tsrun is dead, keeps a live one\'s', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-overlay-'))
    const layers = path.join(home, 'layers')
    // A pid that cannot be running: above the kernel's pid_max ceiling.
    const dead = `.tmp-${2 ** 22 + 1}-0123456789abcdef`
    const live = `.tmp-${process.ppid}-0123456789abcdef`
    fs.mkdirSync(path.join(layers, dead, 'etc'), { recursive: true })
    fs.mkdirSync(path.join(layers, live), { recursive: true })
    await new OverlayDriver(home).prepareLayers([])
    expect(fs.readdirSync(layers)).toEqual([live])
    fs.rmSync(home, { recursive: true })
  })
})
