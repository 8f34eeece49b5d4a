// A third-party plugin outside the CLI's bundle, linked as a user plugin the
// way oclif keeps them (DATA_DIR/package.json), registers a backend through
// the `tsrun:register` hook and shares the CLI's @tsrun/core.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { lines, REPO, show } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()
const dataHome = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-xdg-'))
fs.mkdirSync(path.join(dataHome, 'tsrun'))
fs.writeFileSync(
  path.join(dataHome, 'tsrun', 'package.json'),
  JSON.stringify({ private: true, oclif: { schema: 1, plugins: [{ name: 'tsrun-vendor-fixture', type: 'link', root: path.join(REPO, 'test/fixtures/vendor-plugin') }] } }),
)
const env = { XDG_DATA_HOME: dataHome }

afterAll(() => fs.rmSync(dataHome, { recursive: true, force: true }))

describe('a vendor plugin', () => {
  it('registers its backend: an unknown driver lists it with the built-in ones', async () => {
    const r = await t.run(['run', '--rm', '--pull', 'never', '--storage-driver', 'nope', 'demo:1', 'true'], { env })
    expect(r.code, show(r)).toBe(125)
    expect(r.stderr).toMatch(/vendor/)
    expect(r.stderr).toMatch(/overlay/)
  })

  it("raises the engine's own errors: its exit code and one line reach the user", async () => {
    const r = await t.run(['run', '--rm', '--pull', 'never', '--storage-driver', 'vendor', 'demo:1', 'true'], { env })
    expect(r.code, show(r)).toBe(42)
    expect(lines(r.stderr)).toEqual(['Error: vendor storage: this fixture stores nothing'])
    expect((await t.run(['ps', '-aq'])).stdout).toBe('')
  })

  it('is not there without the link', async () => {
    const r = await t.run(['run', '--rm', '--pull', 'never', '--storage-driver', 'vendor', 'demo:1', 'true'])
    expect(r.code, show(r)).toBe(125)
    expect(r.stderr).not.toMatch(/fixture/)
  })
})

describe('the plugin API version', () => {
  const linked = (names: string[]) => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-xdg-'))
    fs.mkdirSync(path.join(home, 'tsrun'))
    const plugins = names.map((n) => ({ name: n === 'vendor-plugin' ? 'tsrun-vendor-fixture' : `tsrun-${n}`, type: 'link', root: path.join(REPO, 'test/fixtures', n) }))
    fs.writeFileSync(path.join(home, 'tsrun', 'package.json'), JSON.stringify({ private: true, oclif: { schema: 1, plugins } }))
    return home
  }
  const homes: string[] = []
  afterAll(() => homes.forEach((h) => fs.rmSync(h, { recursive: true, force: true })))

  it('a plugin built for another API, or declaring none, is not loaded: one warning each, and the command goes on with the rest', async () => {
    const home = linked(['vendor-plugin', 'vendor-plugin-api2', 'vendor-plugin-undeclared'])
    homes.push(home)
    const r = await t.run(['run', '--rm', '--pull', 'never', '--storage-driver', 'api2', 'demo:1', 'true'], { env: { XDG_DATA_HOME: home } })
    expect(r.code, show(r)).toBe(125)
    const errs = lines(r.stderr)
    expect(errs).toContain('WARNING: plugin tsrun-vendor-plugin-api2 is built for tsrun plugin API 2, and this tsrun has API 1: it is not loaded (install a version of it made for this tsrun)')
    expect(errs).toContain('WARNING: plugin tsrun-vendor-plugin-undeclared declares no tsrun plugin API ("tsrun": { "pluginApi": 1 } in its package.json): it is not loaded')
    // Its hook never ran, so its backend does not exist; the compatible vendor plugin's does.
    expect(r.stderr).not.toMatch(/hook ran/)
    expect(errs[errs.length - 1]).toMatch(/unknown storage backend "api2": registered storage backends are bind, overlay, vendor/)
    const ok = await t.run(['run', '--rm', '--pull', 'never', 'demo:1', 'echo', 'still works'], { env: { XDG_DATA_HOME: home } })
    expect([ok.code, ok.stdout]).toEqual([0, 'still works\n'])
  })

  it('tsrun info shows each backend with its interface version, capabilities and plugin', async () => {
    const home = linked(['vendor-plugin'])
    homes.push(home)
    const r = await t.ok(['info', '--format', '{{json .BackendDetails}}'], { env: { XDG_DATA_HOME: home } })
    const details = JSON.parse(r.stdout) as Array<{ Kind: string; Name: string; Version: string; Capabilities: string[]; Plugin: string }>
    expect(details).toContainEqual({ Kind: 'storage', Name: 'vendor', Version: 'v1', Capabilities: ['nothing'], Plugin: 'tsrun-vendor-fixture' })
    expect(details).toContainEqual({ Kind: 'storage', Name: 'overlay', Version: 'v1', Capabilities: [], Plugin: '@tsrun/storage-overlay' })
  })
})
