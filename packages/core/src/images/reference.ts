import { InvalidReferenceError } from '../errors'

/**
 * Image references as Docker reads them (distribution/reference grammar):
 * `alpine` = `docker.io/library/alpine:latest`, `localhost:5000/a/b:1`,
 * `repo@sha256:...`. Kept in its own module so every command parses alike.
 */
export interface ImageReference {
  /** Registry host (`docker.io`, `localhost:5000`). */
  domain: string
  /** Repository path below the domain (`library/alpine`). */
  path: string
  tag?: string
  digest?: string
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/
const DOMAIN = /^(?:localhost|(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*)(?::[0-9]+)?$/
const TAG = /^[\w][\w.-]{0,127}$/
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/

export const DEFAULT_DOMAIN = 'docker.io'

/** Parse and normalise; InvalidReferenceError says which part is wrong. */
export function parseReference(input: string): ImageReference {
  if (!input) throw new InvalidReferenceError(input, 'the reference is empty')
  let rest = input
  let digest: string | undefined
  const at = rest.indexOf('@')
  if (at >= 0) {
    digest = rest.slice(at + 1)
    rest = rest.slice(0, at)
    if (!DIGEST.test(digest)) throw new InvalidReferenceError(input, `"${digest}" is not a valid digest`)
  }
  let tag: string | undefined
  const colon = rest.lastIndexOf(':')
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1)
    rest = rest.slice(0, colon)
    if (!TAG.test(tag)) throw new InvalidReferenceError(input, `"${tag}" is not a valid tag`)
  }
  const parts = rest.split('/')
  let domain = DEFAULT_DOMAIN
  if (parts.length > 1 && (parts[0].includes('.') || parts[0].includes(':') || parts[0] === 'localhost')) {
    domain = parts.shift()!
    if (!DOMAIN.test(domain)) throw new InvalidReferenceError(input, `"${domain}" is not a valid registry host`)
  }
  for (const part of parts) {
    if (!COMPONENT.test(part)) {
      const why = part.toLowerCase() !== part ? 'repository name must be lowercase' : `"${part}" is not a valid repository name component`
      throw new InvalidReferenceError(input, why)
    }
  }
  if (domain === DEFAULT_DOMAIN && parts.length === 1) parts.unshift('library')
  const path = parts.join('/')
  if (domain.length + 1 + path.length > 255) throw new InvalidReferenceError(input, 'repository name must not be more than 255 characters')
  if (!tag && !digest) tag = 'latest'
  return { domain, path, tag, digest }
}

/** The full name without tag or digest: `docker.io/library/demo`. */
export function repositoryOf(ref: ImageReference): string {
  return `${ref.domain}/${ref.path}`
}

/** The canonical string kept in the store: `docker.io/library/demo:1` (or `@sha256:...`). */
export function formatReference(ref: ImageReference): string {
  return `${repositoryOf(ref)}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`
}

/** The short form people type and Docker prints: `demo`, `user/app`, `localhost:5000/x`. */
export function familiarRepository(ref: ImageReference): string {
  if (ref.domain !== DEFAULT_DOMAIN) return repositoryOf(ref)
  return ref.path.startsWith('library/') ? ref.path.slice('library/'.length) : ref.path
}

/** `demo:1` for `docker.io/library/demo:1`. */
export function familiarString(ref: ImageReference): string {
  return `${familiarRepository(ref)}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`
}
