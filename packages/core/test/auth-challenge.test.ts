import { describe, expect, it } from 'vitest'
import { parseAuthChallenges } from '../src/registry/auth-challenge'

describe('WWW-Authenticate parsing', () => {
  it('reads a bearer challenge with quoted parameters (commas inside quotes too)', () => {
    const [c] = parseAuthChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull,push"')
    expect(c).toEqual({ scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/alpine:pull,push' } })
  })
  it('reads basic, with lower-cased scheme and parameter names', () => {
    expect(parseAuthChallenges('Basic Realm="basic-realm"')).toEqual([{ scheme: 'basic', params: { realm: 'basic-realm' } }])
  })
  it('reads several challenges in one header and in several headers', () => {
    const one = parseAuthChallenges('Basic realm="a", Bearer realm="https://t/x",service="s"')
    expect(one.map((c) => c.scheme)).toEqual(['basic', 'bearer'])
    expect(one[1].params).toEqual({ realm: 'https://t/x', service: 's' })
    expect(parseAuthChallenges(['Basic realm="a"', 'Bearer realm="b"']).map((c) => c.params.realm)).toEqual(['a', 'b'])
  })
  it('unescapes quoted pairs and accepts unquoted tokens', () => {
    expect(parseAuthChallenges('Bearer realm="a\\"b",error=invalid_token')[0].params).toEqual({ realm: 'a"b', error: 'invalid_token' })
  })
  it('answers nothing for a missing or empty header', () => {
    expect(parseAuthChallenges(undefined)).toEqual([])
    expect(parseAuthChallenges('')).toEqual([])
  })
})
