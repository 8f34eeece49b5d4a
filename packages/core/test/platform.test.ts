import { describe, expect, it } from 'vitest'
import { parsePlatform, selectPlatform, type PlatformDescriptor } from '../src/registry/platform'

const d = (os: string, architecture: string, variant?: string): PlatformDescriptor => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${`${os}${architecture}${variant ?? ''}`.padEnd(64, '0')}`,
  size: 1,
  platform: { os, architecture, ...(variant ? { variant } : {}) },
})

describe('platforms', () => {
  it('parses os/arch[/variant] with aliases, and refuses other shapes', () => {
    expect(parsePlatform('linux/amd64')).toEqual({ os: 'linux', architecture: 'amd64' })
    expect(parsePlatform('linux/aarch64')).toEqual({ os: 'linux', architecture: 'arm64' })
    expect(parsePlatform('linux/arm/v7')).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7' })
    expect(() => parsePlatform('amd64')).toThrow('invalid platform "amd64": expected os/arch[/variant]')
  })
  it('chooses the matching entry of an index', () => {
    const entries = [d('linux', 'arm64', 'v8'), d('linux', 'amd64'), d('windows', 'amd64')]
    expect(selectPlatform(entries, { os: 'linux', architecture: 'amd64' }, 'x')).toBe(entries[1])
    expect(selectPlatform(entries, parsePlatform('linux/arm64'), 'x')).toBe(entries[0])
  })
  it('prefers the exact variant, else the highest one', () => {
    const entries = [d('linux', 'arm', 'v6'), d('linux', 'arm', 'v7')]
    expect(selectPlatform(entries, parsePlatform('linux/arm/v6'), 'x')).toBe(entries[0])
    expect(selectPlatform(entries, { os: 'linux', architecture: 'arm' }, 'x')).toBe(entries[1])
  })
  it('lists what is offered when nothing matches (attestation entries left out)', () => {
    const entries = [d('linux', 'arm64', 'v8'), d('unknown', 'unknown')]
    expect(() => selectPlatform(entries, { os: 'linux', architecture: 'amd64' }, 'demo:1')).toThrow(
      'demo:1 has no image for linux/amd64; it offers linux/arm64/v8 (choose one with --platform)',
    )
  })
})
