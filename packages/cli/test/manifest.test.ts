import { execFileSync } from 'node:child_process'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'

const root = path.resolve(__dirname, '../../..')

describe('command surface', () => {
  it('oclif.manifest.json matches the built commands (run `npm run manifest` when it does not)', () => {
    expect(() => execFileSync(process.execPath, [path.join(root, 'scripts/gen-manifest.js'), '--check'], { cwd: root, stdio: 'pipe' })).not.toThrow()
  })

  it('keeps every command and flag people rely on', () => {
    const manifest = require(path.join(root, 'oclif.manifest.json')) as { commands: Record<string, { flags: Record<string, { char?: string }> }> }
    const surface = Object.fromEntries(
      Object.entries(manifest.commands)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([id, c]) => [id, Object.entries(c.flags).map(([name, f]) => (f.char ? `${name}|-${f.char}` : name)).sort()]),
    )
    expect(surface).toMatchSnapshot()
  })
})
