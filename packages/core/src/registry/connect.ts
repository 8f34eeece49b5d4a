/**
 * Build a RegistryClient for a host the way every command should: saved
 * credentials from the engine's auth file, insecure registries from the
 * environment, and the user's `--tls-verify` choice.
 */
import { authFilePath, CredentialStore, type Credentials } from './credentials'
import { insecureRegistriesFromEnv, RegistryClient } from './client'

export interface ConnectOptions {
  tlsVerify?: boolean
  /** Use these instead of the saved ones (`login`). */
  credentials?: Credentials
}

export function connectRegistry(root: string, host: string, opts: ConnectOptions = {}): RegistryClient {
  const credentials = opts.credentials ?? new CredentialStore(authFilePath(root)).get(host)
  return new RegistryClient({ host, credentials, tlsVerify: opts.tlsVerify, insecureRegistries: insecureRegistriesFromEnv() })
}
