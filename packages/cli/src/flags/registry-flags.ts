import { Flags } from '@oclif/core'
import type { RegistryCallOptions } from '@tsrun/core'

/** `--tls-verify`, with no default: not given means "as the registry is configured" (loopback and insecure registries allow HTTP). */
export const tlsVerifyFlag = Flags.boolean({
  allowNo: true,
  description: 'require HTTPS with a valid certificate (--tls-verify=false allows plain HTTP and any certificate; without the flag, loopback and configured insecure registries allow them)',
})

/** `--authfile`, as podman names it. */
export const authFileFlag = Flags.string({
  description: 'the one credentials file to read and write (env REGISTRY_AUTH_FILE; default: ~/.docker/config.json, then podman\'s auth.json files)',
})

/** Flags every command that talks to a registry shares. */
export const registryFlags = {
  'tls-verify': tlsVerifyFlag,
  authfile: authFileFlag,
  'cert-dir': Flags.string({ description: "directory with the registry's CA certificates (*.crt) and client certificate (NAME.cert, NAME.key), instead of its certs.d directory" }),
}

/** The registry part of a command's flags, for the engine. */
export function registryCallOptions(flags: { 'tls-verify'?: boolean; authfile?: string; 'cert-dir'?: string }): RegistryCallOptions {
  return { tlsVerify: flags['tls-verify'], authFile: flags.authfile, certDir: flags['cert-dir'] }
}

/** `https://host/` and `host` both mean the host, as Docker accepts. */
export function registryHost(input: string): string {
  return input.replace(/^https?:\/\//, '').replace(/\/.*$/, '')
}
