// scripts/try.sh on a machine without what tsrun needs (issue 10: it failed
// with "npm: command not found" after installing packages): it names every
// missing or too old tool and stops before installing or building anything.
// The script runs from a copy in a tree that has not been built, with a PATH
// holding only the few tools it uses for the check (and fakes where a test
// wants a node or rustc of some version).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { exec, lines, REPO, show } from '../support/tsrun'

let work: string
let tree: string

/** A PATH directory with the tools the check uses, plus `fakes` (name to the version line it prints). */
function toolbox(name: string, fakes: Record<string, string>): string {
  const dir = path.join(work, name)
  fs.mkdirSync(dir)
  for (const tool of ['dirname', 'sort', 'head', 'sed', 'awk', 'printf']) {
    const found = ['/usr/bin', '/bin'].map((d) => path.join(d, tool)).find((p) => fs.existsSync(p))
    if (found) fs.symlinkSync(found, path.join(dir, tool))
  }
  for (const [tool, version] of Object.entries(fakes)) {
    fs.writeFileSync(path.join(dir, tool), `#!/bin/sh\necho '${version}'\n`, { mode: 0o755 })
  }
  return dir
}

function tryScript(pathDir: string) {
  return exec('/bin/bash', [path.join(tree, 'scripts', 'try.sh')], { env: { PATH: pathDir }, cwd: work })
}

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-try-'))
  tree = path.join(work, 'tree')
  fs.mkdirSync(path.join(tree, 'scripts'), { recursive: true })
  fs.copyFileSync(path.join(REPO, 'scripts', 'try.sh'), path.join(tree, 'scripts', 'try.sh'))
})

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true })
})

describe('scripts/try.sh checks the machine first', () => {
  it('without node, npm and Rust: one line for each, exit 1, nothing installed or built', async () => {
    const r = await tryScript(toolbox('bare', {}))
    expect(r.code, show(r)).toBe(1)
    expect(lines(r.stderr)).toEqual([
      'scripts/try.sh: this machine lacks what tsrun needs; nothing was installed or built:',
      "  - Node.js >= 20.17: no node on PATH (Debian 12's nodejs is 18.x; install Node 20 or 22 from nodejs.org or NodeSource)",
      '  - npm: no npm on PATH (it comes with Node.js from nodejs.org or NodeSource)',
      "  - a Rust toolchain >= 1.88: no cargo/rustc on PATH (install it with rustup: https://rustup.rs; Debian 12's rustc is 1.63)",
    ])
    expect(fs.readdirSync(tree)).toEqual(['scripts'])
  })

  it("Debian 12's own node and rustc are named as too old", async () => {
    const r = await tryScript(toolbox('debian', { node: 'v18.19.0', npm: '9.2.0', cargo: 'cargo 1.65.0', rustc: 'rustc 1.63.0 (4b91a6ea7 2022-08-08)' }))
    expect(r.code, show(r)).toBe(1)
    expect(lines(r.stderr).slice(1)).toEqual([
      '  - Node.js >= 20.17: this node is 18.19.0 (install Node 20 or 22 from nodejs.org or NodeSource)',
      '  - a Rust toolchain >= 1.88: this rustc is 1.63.0 (rustup update)',
    ])
  })

  it('Node 20.16 is one minor short; 20.17 and Rust 1.88 pass the check', async () => {
    const short = await tryScript(toolbox('short', { node: 'v20.16.0', npm: '10.8.1', cargo: 'cargo 1.88.0', rustc: 'rustc 1.88.0 (6b00bc388 2025-06-23)' }))
    expect(lines(short.stderr).slice(1), show(short)).toEqual(['  - Node.js >= 20.17: this node is 20.16.0 (install Node 20 or 22 from nodejs.org or NodeSource)'])
    // With the versions it wants the check passes and the script goes on to install (which this PATH cannot).
    const enough = await tryScript(toolbox('enough', { node: 'v20.17.0', npm: '10.8.2', cargo: 'cargo 1.88.0', rustc: 'rustc 1.88.0 (6b00bc388 2025-06-23)' }))
    expect(enough.stderr, show(enough)).not.toContain('lacks what tsrun needs')
    expect(enough.code).not.toBe(0)
  })
})
