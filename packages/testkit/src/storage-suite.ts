import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LayerRef, StorageDriver } from '@tsrun/core'
import { inRootfs } from './assemble.js'
import { makeLayer } from './layers.js'

/**
 * The behaviour every StorageDriver must show, run against the real kernel.
 * Call it from a vitest file with a factory that builds the driver on a
 * private directory:
 *
 *   storageDriverSuite('overlay', (home) => new OverlayDriver(home))
 *
 * Root-only (it mounts); without root each case fails saying so.
 */
export function storageDriverSuite(name: string, makeDriver: (home: string) => StorageDriver | Promise<StorageDriver>): void {
  describe(`storage driver conformance: ${name}`, () => {
    let dir: string
    let driver: StorageDriver
    let layers: LayerRef[]
    const containerDir = (id: string) => {
      const d = path.join(dir, 'containers', id)
      fs.mkdirSync(d, { recursive: true })
      return d
    }

    beforeAll(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), `tsrun-storage-${name}-`))
      driver = await makeDriver(path.join(dir, 'home'))
      layers = [
        makeLayer(dir, 'base', { 'etc/greeting': 'one\n', 'etc/keep': 'kept\n', 'var/gone': 'bye\n' }),
        makeLayer(dir, 'top', { 'etc/greeting': 'two\n', 'var/.wh.gone': '' }),
      ]
    })
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

    it('needs root to mount', () => {
      expect(process.getuid?.(), 'the storage conformance suite mounts filesystems: run it as root').toBe(0)
    })

    it('shows every layer, an upper layer winning over a lower one', async () => {
      await driver.prepareLayers(layers)
      const spec = await driver.createRootfs('c1', layers, containerDir('c1'))
      expect(inRootfs(spec, 'cat "$ROOT/etc/greeting" "$ROOT/etc/keep"')).toBe('two\nkept\n')
    })

    it('applies whiteouts: a file deleted in an upper layer is gone', async () => {
      const spec = await driver.createRootfs('c2', layers, containerDir('c2'))
      expect(inRootfs(spec, 'ls -A "$ROOT/var"')).toBe('')
    })

    it('keeps each container\'s writes to itself', async () => {
      const a = await driver.createRootfs('c3', layers, containerDir('c3'))
      const b = await driver.createRootfs('c4', layers, containerDir('c4'))
      inRootfs(a, 'echo mine > "$ROOT/etc/greeting" && rm "$ROOT/etc/keep"')
      expect(inRootfs(a, 'cat "$ROOT/etc/greeting"; ls "$ROOT/etc"')).toBe('mine\ngreeting\n')
      expect(inRootfs(b, 'cat "$ROOT/etc/greeting" "$ROOT/etc/keep"')).toBe('two\nkept\n')
    })

    it('prepares layers idempotently, also concurrently', async () => {
      await Promise.all([driver.prepareLayers(layers), driver.prepareLayers(layers)])
      const spec = await driver.createRootfs('c5', layers, containerDir('c5'))
      expect(inRootfs(spec, 'cat "$ROOT/etc/greeting"')).toBe('two\n')
    })

    it('removes a rootfs completely, and twice without error', async () => {
      const d = containerDir('c6')
      await driver.createRootfs('c6', layers, d)
      await driver.removeRootfs('c6', d)
      await driver.removeRootfs('c6', d)
      expect(fs.readdirSync(d)).toEqual([])
    })

    it('refuses a layer whose content is not its diffId, leaving no layer behind', async () => {
      const real = makeLayer(dir, 'liar', { 'etc/lie': 'x\n' })
      const lie: LayerRef = { ...real, diffId: `sha256:${'1'.repeat(64)}` }
      const attempt = async () => {
        await driver.prepareLayers([lie])
        await driver.createRootfs('c8', [lie], containerDir('c8'))
      }
      await expect(attempt()).rejects.toThrow(`its uncompressed content is ${real.diffId}, not ${lie.diffId}`)
      // A driver that unpacks in prepareLayers must not have kept it: the
      // next prepare of the same diffId still refuses.
      await expect(attempt()).rejects.toThrow(/its uncompressed content is/)
    })

    it('answers only what it checked: a prepared layer with its size, or nothing', async () => {
      const fresh = makeLayer(dir, 'fresh', { 'etc/fresh': 'new\n' })
      const got = await driver.prepareLayers([fresh])
      if (got && got.length > 0) expect(got).toEqual([{ diffId: fresh.diffId, size: fs.statSync(fresh.blobPath).size }])
      const again = await driver.prepareLayers([fresh])
      expect(again ?? []).toEqual([])
    })

    it('refuses a layer that is not a tar, leaving no half-made layer behind', async () => {
      const bogus = path.join(dir, 'bogus.tar')
      fs.writeFileSync(bogus, 'this is not a tar archive at all\n'.repeat(64))
      const bad: LayerRef = { diffId: `sha256:${'0'.repeat(64)}`, blobPath: bogus, mediaType: 'application/vnd.oci.image.layer.v1.tar' }
      const attempt = async () => {
        await driver.prepareLayers([bad])
        await driver.createRootfs('c7', [bad], containerDir('c7'))
      }
      await expect(attempt()).rejects.toThrow(/not a tar/)
    })
  })
}
