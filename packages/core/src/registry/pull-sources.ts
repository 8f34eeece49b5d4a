/**
 * Where a pull of one fully qualified reference really goes, per
 * registries.conf: the mirrors of its `[[registry]]` (those that take this
 * kind of reference: `pull-from-mirror`, `mirror-by-digest-only`), in order,
 * then its `location` (the prefix rewritten), or the reference itself. The
 * image keeps the logical name either way. Pushes use none of this (as the
 * man page says of podman), but a blocked registry refuses both.
 */
import { InvalidArgumentError } from '../errors'
import { formatReference, parseReference, type ImageReference } from '../images/reference'
import { findRegistry, type RegistriesConf, type RegistryEntry } from './registries-conf'

export interface PullSource {
  /** What to fetch: host, repository and tag or digest. */
  reference: ImageReference
  /** registries.conf says plain HTTP and any certificate are fine for it. */
  insecure: boolean
  mirror: boolean
}

/** The sources to try for `logical`, mirrors first. */
export function pullSources(conf: RegistriesConf | undefined, logical: ImageReference): PullSource[] {
  const name = formatReference(logical)
  const found = conf && findRegistry(conf, name)
  if (!found) return [{ reference: logical, insecure: false, mirror: false }]
  const { entry, matched } = found
  const rest = name.slice(matched)
  const byDigest = Boolean(logical.digest)
  const sources: PullSource[] = []
  for (const m of entry.mirrors) {
    if (m.pullFromMirror === 'digest-only' && !byDigest) continue
    if (m.pullFromMirror === 'tag-only' && byDigest) continue
    const reference = parseReference(m.location + rest)
    sources.push({ reference, insecure: m.insecure || insecureHost(conf, reference), mirror: true })
  }
  const primary = entry.location ? parseReference(entry.location + rest) : logical
  sources.push({ reference: primary, insecure: entry.insecure || insecureHost(conf, primary), mirror: false })
  return sources
}

/** registries.conf marks the host of `ref` insecure (its own `[[registry]]`, by host). */
export function insecureHost(conf: RegistriesConf | undefined, ref: ImageReference): boolean {
  return Boolean(conf && findRegistry(conf, ref.domain)?.entry.insecure)
}

/** Refuse `ref` when its `[[registry]]` says `blocked = true`, naming the file, as podman does. */
export function assertNotBlocked(conf: RegistriesConf | undefined, ref: ImageReference, action: 'pull' | 'push'): void {
  const entry: RegistryEntry | undefined = conf && findRegistry(conf, formatReference(ref))?.entry
  if (entry?.blocked) {
    throw new InvalidArgumentError(`cannot ${action} ${formatReference(ref)}: registry ${entry.prefix} is blocked in ${entry.file}`)
  }
}
