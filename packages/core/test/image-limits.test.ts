import { describe, expect, it } from 'vitest'
import { checkImageConfig, nestingDepth, parseBoundedJson } from '../src/images/image-limits'

const depth = (s: string) => nestingDepth(Buffer.from(s), 1000)

describe('nestingDepth', () => {
  it('counts arrays and objects, not brackets inside strings or after escapes', () => {
    expect(depth('1')).toBe(0)
    expect(depth('{"a":[1,{"b":[]}]}')).toBe(4)
    expect(depth('{"a":"[[[[{{{{"}')).toBe(1)
    expect(depth('{"a":"\\"[[[[","b":[]}')).toBe(2)
    expect(depth('["\\\\",[[]]]')).toBe(3)
  })

  it('stops early once past the limit', () => {
    expect(nestingDepth(Buffer.from('['.repeat(1_000_000)), 64)).toBe(65)
  })
})

describe('parseBoundedJson', () => {
  it('refuses what is too large or too deep before parsing, and what is not JSON', () => {
    expect(() => parseBoundedJson(Buffer.from('[1,2,3]'), 'doc', 5)).toThrow('doc is 7 bytes, more than the 5 allowed; refusing it')
    expect(() => parseBoundedJson(Buffer.from('['.repeat(65) + ']'.repeat(65)), 'doc', 1000)).toThrow('doc nests arrays or objects more than 64 deep; refusing it')
    expect(() => parseBoundedJson(Buffer.from('{nope'), 'doc', 1000)).toThrow('doc is not valid JSON')
    expect(parseBoundedJson(Buffer.from('['.repeat(64) + ']'.repeat(64)), 'doc', 1000)).toBeInstanceOf(Array)
  })
})

describe('checkImageConfig', () => {
  const base = { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [`sha256:${'a'.repeat(64)}`] } }
  it('takes a plain config and refuses the shapes later commands would trip on', () => {
    expect(checkImageConfig({ ...base, config: { Env: ['A=1'], Cmd: null, Labels: { a: 'b' } } }, 'c').os).toBe('linux')
    expect(() => checkImageConfig([], 'c')).toThrow('c: the config is not a JSON object; refusing it')
    expect(() => checkImageConfig({ ...base, rootfs: { diff_ids: ['nope'] } }, 'c')).toThrow('a rootfs.diff_ids entry is not a sha256 digest')
    expect(() => checkImageConfig({ ...base, config: { Entrypoint: 'sh' } }, 'c')).toThrow('config.Entrypoint is not a list of strings')
    expect(() => checkImageConfig({ ...base, config: { Labels: { a: 1 } } }, 'c')).toThrow('a config.Labels value is not a string')
    expect(() => checkImageConfig({ ...base, config: { WorkingDir: [] } }, 'c')).toThrow('config.WorkingDir is not a string')
    expect(() => checkImageConfig({ ...base, history: {} }, 'c')).toThrow('history is not a list of objects')
  })
})
