import { Flags } from '@oclif/core'

/** Flags every command that talks to a registry shares. */
export const registryFlags = {
  'tls-verify': Flags.boolean({
    default: true,
    allowNo: true,
    description: 'require HTTPS with a valid certificate (--tls-verify=false allows plain HTTP and any certificate; loopback registries are allowed plain HTTP anyway)',
  }),
}

/** `https://host/` and `host` both mean the host, as Docker accepts. */
export function registryHost(input: string): string {
  return input.replace(/^https?:\/\//, '').replace(/\/.*$/, '')
}
