// Issue 9: opencontainers/runtime-tools' validation suite (a Go module from
// the Go module proxy, built by test/support/runtime-tools.sh) against
// tsrun-runtime and against Debian's runc, in the same run. tsrun-runtime
// must pass at least as many cases as runc; both tables are printed, and
// docs/runtime-contract.md §4 lists what fails and why. Each run gets its own
// TMPDIR: tsrun-runtime must leave no mount there (runc leaves some for a
// spec without a mount namespace); what is left is unmounted either way.
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { runValidation, validationTests, type SuiteResult } from '../support/runtime-tools'
import { REPO } from '../support/tsrun'

const TSRUN_RUNTIME = path.join(REPO, 'packages', 'native', 'bin', 'tsrun-runtime')

function table(rows: Array<[SuiteResult, SuiteResult]>): string {
  return rows.map(([r, t]) => `${r.name.padEnd(34)} runc ${String(r.ok).padStart(3)}/${String(r.notOk).padEnd(3)} tsrun-runtime ${String(t.ok).padStart(3)}/${t.notOk}`).join('\n')
}

describe('runtime-tools validation', () => {
  it('tsrun-runtime passes at least as many cases as runc', async () => {
    const rows: Array<[SuiteResult, SuiteResult]> = []
    for (const name of validationTests()) {
      rows.push([await runValidation(name, 'runc'), await runValidation(name, TSRUN_RUNTIME)])
    }
    const sum = (i: 0 | 1, k: 'ok' | 'notOk') => rows.reduce((n, row) => n + row[i][k], 0)
    const summary = `runtime-tools: runc ${sum(0, 'ok')} ok / ${sum(0, 'notOk')} not ok; tsrun-runtime ${sum(1, 'ok')} ok / ${sum(1, 'notOk')} not ok`
    console.log(`${table(rows)}\n${summary}`)
    console.log(`tsrun-runtime failures:\n${rows.flatMap(([, t]) => t.failures.map((f) => `  ${t.name}: ${f}`)).join('\n')}`)
    const left = (i: 0 | 1) => rows.flatMap((row) => row[i].leftMounts.map((m) => `${row[i].name}: ${m}`))
    console.log(`mounts left on the host under the bundles: runc ${left(0).length}, tsrun-runtime ${left(1).length}`)
    expect(rows.length).toBeGreaterThan(50)
    expect(sum(1, 'ok'), summary).toBeGreaterThanOrEqual(sum(0, 'ok'))
    // Whatever runc does, tsrun-runtime leaves no mount behind (the host's mount table is as before).
    expect(left(1)).toEqual([])
  }, 1_800_000)
})
