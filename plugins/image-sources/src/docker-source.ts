import type { Readable } from 'node:stream'
import {
  familiarString,
  formatReference,
  parseReference,
  registryAccess,
  RegistryError,
  resolveManifest,
  type Descriptor,
  type EngineConfig,
  type ImageReader,
  type RegistryClient,
  type ResolvedImage,
  type SourceOptions,
  type ImageSource,
} from '@tsrun/core'

/**
 * `image-source:docker`: a registry speaking the OCI distribution spec.
 * The reference is normalised as Docker does (`alpine` =
 * `docker.io/library/alpine:latest`), unless registries.conf gives a short
 * name an alias or search registries; each candidate name is tried through
 * its mirrors, then its location (registries.conf `[[registry]]`), and the
 * first source that has the image serves all of it. The pulled image is
 * named by the candidate (the logical name), never by a mirror.
 * Credentials, TLS and insecure registries come from `registryAccess`.
 */
export class DockerSource implements ImageSource {
  readonly transport = 'docker'

  constructor(private readonly config: EngineConfig) {}

  async open(reference: string, opts: SourceOptions): Promise<ImageReader> {
    const access = registryAccess(this.config)
    const call = { tlsVerify: opts.tlsVerify, authFile: opts.authFile, certDir: opts.certDir }
    parseReference(reference)
    const resolution = access.resolvePull(reference)
    let chosen: { client: RegistryClient; path: string } | undefined
    return {
      images: async (): Promise<ResolvedImage[]> => {
        const failures: Array<{ source: string; candidate: string; error: Error }> = []
        let tried = 0
        for (const name of resolution.candidates) {
          const logical = parseReference(name)
          if (resolution.candidates.length === 1) access.assertNotBlocked(logical, 'pull')
          else {
            try {
              access.assertNotBlocked(logical, 'pull')
            } catch (error) {
              failures.push({ source: familiarString(logical), candidate: name, error: error as Error })
              continue
            }
          }
          for (const src of access.pullSources(logical)) {
            tried++
            const ref = src.reference
            const client = access.connect(ref.domain, { ...call, repo: ref.path, insecure: src.insecure })
            try {
              const top = await client.getManifest(ref.path, ref.digest ?? ref.tag!)
              const image = await resolveManifest(top, (d: Descriptor) => client.getManifest(ref.path, d.digest), opts.platform, familiarString(logical), [formatReference(logical)])
              chosen = { client, path: ref.path }
              return [image]
            } catch (error) {
              failures.push({ source: familiarString(ref), candidate: name, error: error as Error })
            }
          }
        }
        throw explainFailures(reference, resolution.how, resolution.file, failures, tried)
      },
      fetchBlob: (desc: Descriptor): Promise<Readable> => {
        if (!chosen) throw new RegistryError(`${reference}: blob ${desc.digest} asked for before the manifest`)
        return chosen.client.getBlob(chosen.path, desc.digest)
      },
      close: async () => undefined,
    }
  }
}

/**
 * One source tried: its own error, unchanged (the messages users know).
 * Several (mirrors, search registries): the last one's, with what the others
 * said after it, so nothing tried is hidden.
 */
function explainFailures(reference: string, how: string, file: string | undefined, failures: Array<{ source: string; error: Error }>, tried: number): Error {
  if (failures.length === 1 && tried <= 1) return failures[0].error
  const line = (f: { source: string; error: Error }) => `${f.source}: ${f.error.message.split('\n')[0]}`
  if (how === 'search') {
    return new RegistryError(`${reference} was found in none of the unqualified-search registries of ${file}: ${failures.map(line).join('; ')}`, { cause: failures.at(-1)?.error })
  }
  const last = failures.at(-1)!
  const others = failures.slice(0, -1)
  const message = `${last.error.message.split('\n')[0]} (tried first: ${others.map(line).join('; ')})`
  return new RegistryError(message, { cause: last.error })
}
