// Flag parsing as Docker's (spf13/pflag, Go's flag rules), in front of oclif.
import { describe, expect, it } from 'vitest'
import { normalizeArgv } from '../src/parsing/normalize-argv'
import { parseGoBool } from '../src/parsing/go-bool'

const flags = {
  rm: { type: 'boolean' as const },
  detach: { type: 'boolean' as const, char: 'd' },
  interactive: { type: 'boolean' as const, char: 'i' },
  'tls-verify': { type: 'boolean' as const, allowNo: true },
  name: { type: 'option' as const, char: 'n' },
  env: { type: 'option' as const, char: 'e', multiple: true },
  network: { type: 'option' as const, aliases: ['net'] },
}

describe('booleans take an attached value (pflag: --flag=value, never a separate word)', () => {
  it('--rm=true is --rm, --rm=false leaves it out', () => {
    expect(normalizeArgv(['--rm=true', 'img'], flags)).toEqual(['--rm', 'img'])
    expect(normalizeArgv(['--rm=false', 'img'], flags)).toEqual(['img'])
  })
  it('--tls-verify=false is --no-tls-verify (a default-true flag)', () => {
    expect(normalizeArgv(['--tls-verify=false'], flags)).toEqual(['--no-tls-verify'])
    expect(normalizeArgv(['--no-tls-verify', '--tls-verify=true'], flags)).toEqual(['--tls-verify'])
  })
  it('-d=false and -id=false in a cluster', () => {
    expect(normalizeArgv(['-d=false'], flags)).toEqual([])
    expect(normalizeArgv(['-id=false'], flags)).toEqual(['--interactive'])
    expect(normalizeArgv(['-di'], flags)).toEqual(['--detach', '--interactive'])
  })
  it("--rm false: 'false' stays an argument, as pflag leaves it", () => {
    expect(normalizeArgv(['--rm', 'false'], flags)).toEqual(['--rm', 'false'])
  })
  it('the last of a repeated boolean wins', () => {
    expect(normalizeArgv(['--rm', '--rm=false'], flags)).toEqual([])
    expect(normalizeArgv(['--rm=false', '--rm'], flags)).toEqual(['--rm'])
  })
  it("a value that is not Go's ParseBool is Docker's error", () => {
    expect(() => normalizeArgv(['--rm=yes'], flags)).toThrow('invalid argument "yes" for "--rm" flag: strconv.ParseBool: parsing "yes": invalid syntax')
    expect(() => normalizeArgv(['-d='], flags)).toThrow('invalid argument "" for "-d, --detach" flag')
  })
  it("strconv.ParseBool's documented spellings", () => {
    for (const t of ['1', 't', 'T', 'TRUE', 'true', 'True']) expect(parseGoBool(t)).toBe(true)
    for (const f of ['0', 'f', 'F', 'FALSE', 'false', 'False']) expect(parseGoBool(f)).toBe(false)
    for (const x of ['yes', 'no', 'tRUE', '', ' true']) expect(parseGoBool(x)).toBeUndefined()
  })
})

describe('a single-valued flag given twice takes the last (podman, pflag)', () => {
  it('in every spelling', () => {
    expect(normalizeArgv(['--name', 'a', '--name=b', 'img'], flags)).toEqual(['--name=b', 'img'])
    expect(normalizeArgv(['-na', '-n', 'b'], flags)).toEqual(['-n', 'b'])
    expect(normalizeArgv(['--net', 'host', '--network=none'], flags)).toEqual(['--network=none'])
  })
  it('a multi-valued flag keeps them all', () => {
    expect(normalizeArgv(['-e', 'A=1', '--env=B=2', '-eC=3'], flags)).toEqual(['-e', 'A=1', '--env=B=2', '-e=C=3'])
  })
})

describe('what oclif reports stays as typed', () => {
  it('unknown flags and everything after --', () => {
    expect(normalizeArgv(['--nme', 'x', '-x', '--', '--rm=false'], flags)).toEqual(['--nme', 'x', '-x', '--', '--rm=false'])
  })
  it('an option without its value at the end', () => {
    expect(normalizeArgv(['--name'], flags)).toEqual(['--name'])
  })
})
