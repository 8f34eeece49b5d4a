/**
 * Split `transport:reference` as skopeo writes it. A bare reference (and
 * `docker://ref`) is the registry transport; `localhost:5000/x` stays a
 * registry reference because `localhost` is no transport.
 */
export interface TransportReference {
  transport: string
  reference: string
}

export function splitTransport(input: string, known: string[]): TransportReference {
  if (input.startsWith('docker://')) return { transport: 'docker', reference: input.slice('docker://'.length) }
  const colon = input.indexOf(':')
  if (colon > 0) {
    const prefix = input.slice(0, colon)
    if (prefix !== 'docker' && known.includes(prefix)) return { transport: prefix, reference: input.slice(colon + 1) }
  }
  return { transport: 'docker', reference: input }
}
