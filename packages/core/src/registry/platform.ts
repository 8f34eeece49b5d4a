/**
 * Platforms (`linux/arm64/v8`) and choosing one manifest from an index, as
 * containerd's platform matcher does for the common cases: os and
 * architecture must match; a wanted variant must match (arm64 without one
 * means v8); without a wanted variant, the best variant available wins.
 */
import type { Descriptor } from '../backends/image-source'
import { InvalidArgumentError } from '../errors'
import { hostPlatform } from '../images/oci'
import { PlatformNotFoundError } from './errors'

export interface Platform {
  os: string
  architecture: string
  variant?: string
}

/** An index entry with its platform. */
export type PlatformDescriptor = Descriptor & { platform?: Platform & { 'os.version'?: string } }

const ARCH_ALIASES: Record<string, string> = { x86_64: 'amd64', 'x86-64': 'amd64', aarch64: 'arm64', armhf: 'arm', armel: 'arm', i386: '386' }

/** Parse `os/arch[/variant]`; InvalidArgumentError names the expected shape. */
export function parsePlatform(text: string): Platform {
  const parts = text.split('/')
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[a-z0-9._-]+$/i.test(p))) {
    throw new InvalidArgumentError(`invalid platform "${text}": expected os/arch[/variant], e.g. linux/amd64 or linux/arm64/v8`)
  }
  const [os, arch, variant] = parts.map((p) => p.toLowerCase())
  return normalizePlatform({ os, architecture: arch, variant })
}

export function normalizePlatform(p: Platform): Platform {
  const architecture = ARCH_ALIASES[p.architecture] ?? p.architecture
  let variant = p.variant || undefined
  if (architecture === 'arm64' && variant === 'v8') variant = undefined
  return { os: p.os, architecture, ...(variant ? { variant } : {}) }
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/')
}

/** The platform this host runs (with an arm variant guessed as v7 on 32-bit arm). */
export function defaultPlatform(): Platform {
  const host = hostPlatform()
  return normalizePlatform(host.architecture === 'arm' ? { ...host, variant: 'v7' } : host)
}

/** Does an image's platform satisfy the wanted one? */
export function platformMatches(have: Platform, want: Platform): boolean {
  const h = normalizePlatform(have)
  const w = normalizePlatform(want)
  if (h.os !== w.os || h.architecture !== w.architecture) return false
  return !w.variant || !h.variant || h.variant === w.variant
}

/**
 * Pick the manifest for `want` from an index's entries. PlatformNotFoundError
 * lists what the index does offer, so the user can pass `--platform`.
 */
export function selectPlatform(entries: PlatformDescriptor[], want: Platform, what: string): PlatformDescriptor {
  const candidates = entries.filter((e) => e.platform && platformMatches(e.platform, want))
  if (candidates.length) {
    // Prefer an exact variant match, then the highest variant (v8 over v7 over v6).
    const w = normalizePlatform(want)
    candidates.sort((a, b) => score(b.platform!, w) - score(a.platform!, w))
    return candidates[0]
  }
  const offered = [...new Set(entries.filter((e) => e.platform && e.platform.os !== 'unknown').map((e) => formatPlatform(e.platform!)))]
  // A hostile index may list thousands: name a few, count the rest.
  const shown = offered.length > 12 ? `${offered.slice(0, 12).join(', ')} and ${offered.length - 12} more` : offered.join(', ')
  throw new PlatformNotFoundError(
    `${what} has no image for ${formatPlatform(want)}; it offers ${offered.length ? shown : 'no platform at all'} (choose one with --platform)`,
  )
}

function score(p: Platform, want: Platform): number {
  const n = normalizePlatform(p)
  if (want.variant && n.variant === want.variant) return 1000
  const v = Number(/^v(\d+)$/.exec(n.variant ?? '')?.[1] ?? 0)
  return v
}

/**
 * Why an image's config does not suit `want` (Docker's words), or undefined
 * when it does. A config without an architecture claims nothing.
 */
export function platformMismatch(ref: string, config: { os?: string; architecture?: string; variant?: string }, want: Platform): string | undefined {
  if (!config.os || !config.architecture) return undefined
  const have: Platform = { os: config.os, architecture: config.architecture, variant: config.variant }
  if (platformMatches(have, want)) return undefined
  return `image with reference ${ref} was found but does not match the specified platform: wanted ${formatPlatform(normalizePlatform(want))}, actual: ${formatPlatform(normalizePlatform(have))}`
}
