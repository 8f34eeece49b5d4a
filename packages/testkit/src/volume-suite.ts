import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { VolumeDriver, VolumeRef } from '@tsrun/core'
import { inVolume } from './volume-mount.js'

/**
 * The behaviour every VolumeDriver must show, run against the real kernel.
 * Call it from a vitest file with a factory that builds the driver:
 *
 *   volumeDriverSuite('local', () => new LocalVolumeDriver())
 *
 * `options` are the `-o` options the suite's volumes are made with (default
 * none); they must give persistent storage. Root-only (it mounts, chowns and
 * makes whiteouts); without root each case fails saying so.
 */
export function volumeDriverSuite(name: string, makeDriver: () => VolumeDriver | Promise<VolumeDriver>, options: Record<string, string> = {}): void {
  describe(`volume driver conformance: ${name}`, () => {
    let home: string
    let driver: VolumeDriver
    const mountinfo = () => fs.readFileSync('/proc/self/mountinfo', 'utf8')
    let mountsBefore: string
    const newVolume = async (volName: string): Promise<VolumeRef> => {
      const dir = path.join(home, volName)
      fs.mkdirSync(dir)
      const ref = { name: volName, options, dir }
      await driver.create(ref)
      return ref
    }

    beforeAll(async () => {
      home = fs.mkdtempSync(path.join(os.tmpdir(), `tsrun-volume-${name}-`))
      driver = await makeDriver()
      mountsBefore = mountinfo()
    })
    afterAll(() => fs.rmSync(home, { recursive: true, force: true }))

    it('needs root to mount', () => {
      expect(process.getuid?.(), 'the volume conformance suite mounts filesystems: run it as root').toBe(0)
    })

    it('refuses an unknown option without creating anything', () => {
      expect(() => driver.validate({ 'no-such-option-for-tsrun': 'x' })).toThrow(/no-such-option-for-tsrun/)
      expect(() => driver.validate(options)).not.toThrow()
    })

    it('keeps data written through one mount for the next, and shows it to a second mount at once', async () => {
      const vol = await newVolume('keep')
      const spec = await driver.mount(vol, 'c1')
      inVolume(spec, 'echo hello > "$MNT/file" && mkdir "$MNT/dir"')
      expect(inVolume(await driver.mount(vol, 'c2'), 'cat "$MNT/file"; ls -d "$MNT/dir"')).toBe('hello\n/mnt/dir\n')
      await driver.unmount(vol, 'c1')
      await driver.unmount(vol, 'c1')
      await driver.unmount(vol, 'c2')
      expect(inVolume(await driver.mount(vol, 'c3'), 'cat "$MNT/file"')).toBe('hello\n')
    })

    it('keeps volumes apart', async () => {
      const a = await newVolume('a1')
      const b = await newVolume('b1')
      inVolume(await driver.mount(a, 'c'), 'echo a > "$MNT/only-a"')
      expect(inVolume(await driver.mount(b, 'c'), 'ls -A "$MNT"')).toBe('')
    })

    it('removes a volume, twice without error, and a new one of that name starts empty', async () => {
      const vol = await newVolume('gone')
      inVolume(await driver.mount(vol, 'c'), 'echo x > "$MNT/x"')
      await driver.remove(vol)
      await driver.remove(vol)
      fs.rmSync(vol.dir, { recursive: true, force: true })
      const again = await newVolume('gone')
      expect(inVolume(await driver.mount(again, 'c'), 'ls -A "$MNT"')).toBe('')
    })

    it('reports usage at least as large as what was written', async () => {
      if (!driver.usage) return
      const vol = await newVolume('usage')
      inVolume(await driver.mount(vol, 'c'), 'head -c 100000 /dev/zero > "$MNT/z"')
      expect(await driver.usage(vol)).toBeGreaterThanOrEqual(100000)
    })

    describe('copy-up (populate)', () => {
      let layers: string[]
      beforeAll(() => {
        // Two layers, top first: the top one whites out a file and overrides another.
        const lower = path.join(home, 'layer-lower')
        const upper = path.join(home, 'layer-upper')
        fs.mkdirSync(path.join(lower, 'data/sub'), { recursive: true })
        fs.mkdirSync(path.join(upper, 'data'), { recursive: true })
        fs.writeFileSync(path.join(lower, 'data/kept'), 'lower\n')
        fs.writeFileSync(path.join(lower, 'data/gone'), 'bye\n')
        fs.writeFileSync(path.join(lower, 'data/sub/owned'), 'x\n')
        fs.chownSync(path.join(lower, 'data/sub/owned'), 1234, 5678)
        fs.chmodSync(path.join(lower, 'data/sub/owned'), 0o640)
        fs.writeFileSync(path.join(upper, 'data/kept'), 'upper\n')
        execFileSync('mknod', [path.join(upper, 'data/gone'), 'c', '0', '0'])
        fs.symlinkSync('/etc/shadow', path.join(upper, 'data/link'))
        fs.chownSync(path.join(upper, 'data'), 1000, 1000)
        fs.chmodSync(path.join(upper, 'data'), 0o770)
        fs.symlinkSync('/etc', path.join(upper, 'escape'))
        layers = [upper, lower]
      })

      it('copies what the image holds at the path, ownership and modes kept, symlinks as symlinks', async () => {
        if (!driver.populate) return
        const vol = await newVolume('copy')
        expect(await driver.populate(vol, layers, '/data')).toBe(true)
        const out = inVolume(await driver.mount(vol, 'c'), 'cd "$MNT" && cat kept && ls -A && stat -c "%u:%g %a" sub/owned . && readlink link')
        expect(out).toBe('upper\nkept\nlink\nsub\n1234:5678 640\n1000:1000 770\n/etc/shadow\n')
      })

      it('copies nothing into a volume that has data', async () => {
        if (!driver.populate) return
        const vol = await newVolume('full')
        inVolume(await driver.mount(vol, 'c'), 'echo mine > "$MNT/mine"')
        expect(await driver.populate(vol, layers, '/data')).toBe(false)
        expect(inVolume(await driver.mount(vol, 'c'), 'ls -A "$MNT"')).toBe('mine\n')
      })

      it('never follows a symlink out of the image', async () => {
        if (!driver.populate) return
        const vol = await newVolume('escape')
        expect(await driver.populate(vol, layers, '/escape')).toBe(false)
        expect(inVolume(await driver.mount(vol, 'c'), 'ls -A "$MNT"')).toBe('')
      })
    })

    it('mounts nothing on the host', () => {
      // Only lines naming the suite's directory: other work on the machine may mount meanwhile.
      const ours = (text: string) => text.split('\n').filter((l) => l.includes(home))
      expect(ours(mountinfo())).toEqual(ours(mountsBefore))
    })
  })
}
