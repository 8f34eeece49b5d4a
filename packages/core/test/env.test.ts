import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { mergeEnv, parseEnvFlags, readEnvFiles } from '../src/containers/env'

describe('environment flags', () => {
  it('copies KEY from the caller and drops it when unset there', () => {
    expect(parseEnvFlags(['A=1', 'HOMEY', 'MISSING'], { HOMEY: 'h' })).toEqual(['A=1', 'HOMEY=h'])
  })
  it('later values replace earlier ones in place', () => {
    expect(mergeEnv(['PATH=/bin', 'A=1'], ['A=2', 'B=3'])).toEqual(['PATH=/bin', 'A=2', 'B=3'])
  })
  it('reads env files, skipping comments and blank lines', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'envf-')), 'e')
    fs.writeFileSync(file, '# comment\n\nX=1\n  Y=two words\n')
    expect(readEnvFiles([file], {})).toEqual(['X=1', 'Y=two words'])
  })
  it('names the missing env file', () => {
    expect(() => readEnvFiles(['/nonexistent/envfile'])).toThrow(/env file \/nonexistent\/envfile: no such file/)
  })
})
