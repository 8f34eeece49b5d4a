import { describe, expect, it } from 'vitest'
import { familiarString, formatReference, parseReference } from '../src/images/reference'

describe('image references, normalised as Docker does', () => {
  it.each([
    ['alpine', 'docker.io/library/alpine:latest', 'alpine:latest'],
    ['demo:1', 'docker.io/library/demo:1', 'demo:1'],
    ['user/app:v2', 'docker.io/user/app:v2', 'user/app:v2'],
    ['localhost:5000/a/b', 'localhost:5000/a/b:latest', 'localhost:5000/a/b:latest'],
    ['registry.example.com/x@sha256:' + 'a'.repeat(64), 'registry.example.com/x@sha256:' + 'a'.repeat(64), 'registry.example.com/x@sha256:' + 'a'.repeat(64)],
  ])('%s', (input, canonical, familiar) => {
    const ref = parseReference(input)
    expect(formatReference(ref)).toBe(canonical)
    expect(familiarString(ref)).toBe(familiar)
  })

  it.each([
    ['Demo:1', /lowercase/],
    ['demo:bad tag', /not a valid tag/],
    ['demo@sha256:xyz', /not a valid digest/],
    ['', /empty/],
    ['a//b', /component/],
  ])('rejects %j', (input, why) => {
    expect(() => parseReference(input)).toThrow(why)
  })
})
