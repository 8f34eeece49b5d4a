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
