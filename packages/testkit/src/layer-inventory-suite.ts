import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hasLayerInventory, type LayerInventory, type LayerRef, type StorageDriver } from '@tsrun/core'
import { makeLayer } from './layers.js'

/**
 * The behaviour of the optional LayerInventory ability (a storage driver
 * that keeps layers of its own), which garbage collection relies on:
 * it lists exactly the complete layers, measures them, removes them for
 * good, and clears what dead processes left half-made, never a live one's.
 *
 *   layerInventorySuite('overlay', (home) => new OverlayDriver(home))
 *
 * `tempDir(home)` names where the driver keeps its unpacks in progress
 * (temp entries named `.tmp-<pid>-<random>`).
 */
export function layerInventorySuite(name: string, makeDriver: (home: string) => StorageDriver | Promise<StorageDriver>, tempDir: (home: string) => string): void {
  describe(`layer inventory conformance: ${name}`, () => {
    let dir: string
    let home: string
    let driver: StorageDriver & LayerInventory
    let layers: LayerRef[]

    beforeAll(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), `tsrun-inventory-${name}-`))
      home = path.join(dir, 'home')
      const d = await makeDriver(home)
      if (!hasLayerInventory(d)) throw new Error(`${name} does not implement LayerInventory (listLayers, layerUsage, staleTemps)`)
      driver = d
      layers = [makeLayer(dir, 'one', { 'etc/one': 'one\n' }), makeLayer(dir, 'two', { 'etc/two': 'two two\n' })]
    })
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

    it('lists exactly the layers prepared, and measures them', async () => {
      expect(await driver.listLayers()).toEqual([])
      await driver.prepareLayers(layers)
      expect((await driver.listLayers()).sort()).toEqual(layers.map((l) => l.diffId).sort())
      expect(await driver.layerUsage(layers[1].diffId)).toBe('two two\n'.length)
      expect(await driver.layerUsage(`sha256:${'9'.repeat(64)}`)).toBe(0)
    })

    it('removes a layer for good, twice without error; the others stay', async () => {
      await driver.removeLayer(layers[0].diffId)
      await driver.removeLayer(layers[0].diffId)
      expect(await driver.listLayers()).toEqual([layers[1].diffId])
      expect(await driver.staleTemps(false)).toBe(0)
    })

    it("clears a dead process's half-made layer, keeps a live one's", async () => {
      const temps = tempDir(home)
      const dead = path.join(temps, `.tmp-${2 ** 22 + 1}-0123456789abcdef`)
      const live = path.join(temps, `.tmp-${process.ppid}-0123456789abcdef`)
      fs.mkdirSync(path.join(dead, 'etc'), { recursive: true })
      fs.writeFileSync(path.join(dead, 'etc', 'half'), 'half')
      fs.mkdirSync(live, { recursive: true })
      expect(await driver.staleTemps(false)).toBe(4)
      expect(fs.existsSync(dead)).toBe(true)
      expect(await driver.staleTemps(true)).toBe(4)
      expect(fs.existsSync(dead)).toBe(false)
      expect(fs.existsSync(live)).toBe(true)
      expect(await driver.listLayers()).toEqual([layers[1].diffId])
    })
  })
}
