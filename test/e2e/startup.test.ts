// How the CLI starts (bin/tsrun, bin/run.js): what it must not cost, and what
// must not break it.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO, show } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot({ image: false })

describe('start-up', () => {
  it('does not make Node read NODE_EXTRA_CA_CERTS before every command', async () => {
    // Node reads the file while starting and warns when it cannot; tsrun
    // defers it to its first registry connection, so a plain command is silent.
    const r = await t.run(['ps', '-a'], { env: { NODE_EXTRA_CA_CERTS: '/nonexistent/ca.pem' } })
    expect(r.code, show(r)).toBe(0)
    expect(r.stderr).toBe('')
  })

  it('a corrupt code cache is ignored and written anew', async () => {
    const cacheRoot = path.join(REPO, 'bin', '.code-cache')
    // The build (npm ci / npm run build) makes the bundle the cache belongs to.
    expect(fs.existsSync(path.join(REPO, 'bin', 'tsrun.bundle.js'))).toBe(true)
    await t.ok(['images'])
    const caches = fs.readdirSync(cacheRoot).map((d) => path.join(cacheRoot, d, 'images.bin')).filter((f) => fs.existsSync(f))
    expect(caches.length).toBeGreaterThan(0)
    for (const f of caches) fs.writeFileSync(f, 'not a V8 code cache')
    const r = await t.run(['images'])
    expect(r.code, show(r)).toBe(0)
    expect(r.stdout).toMatch(/^REPOSITORY/)
    const rewritten = caches.filter((f) => fs.readFileSync(f).toString() !== 'not a V8 code cache')
    expect(rewritten.length).toBeGreaterThan(0)
  })
})
