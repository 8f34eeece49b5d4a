import * as fs from 'node:fs'
import * as tls from 'node:tls'

/**
 * The CA certificates registry connections trust: Node's own, plus those in
 * the file named by NODE_EXTRA_CA_CERTS, as Node does. bin/tsrun hands that
 * variable over as TSRUN_EXTRA_CA_CERTS because Node reads and parses the file
 * while starting, before any code runs: with a full system bundle that is
 * some 40 ms on every command, though only registry connections use it. Here
 * it is read on the first TLS request instead. Undefined: Node's defaults.
 * Like Node, a file that cannot be read is a warning, not an error.
 */
export function trustedCertificates(env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  const file = env.TSRUN_EXTRA_CA_CERTS
  if (!file) return undefined
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (err) {
    process.stderr.write(`Warning: ignoring extra CA certificates from ${file}: ${(err as Error).message}\n`)
    return undefined
  }
  const extra = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []
  return extra.length ? [...tls.rootCertificates, ...extra] : undefined
}
