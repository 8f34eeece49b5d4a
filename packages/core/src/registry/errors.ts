/**
 * Failures talking to a registry, each with a message that says what to do.
 * They are TsrunErrors, so the CLI prints one line and exits 125.
 */
import { TsrunError } from '../errors'

/** Any registry failure that has no more precise family below. */
export class RegistryError extends TsrunError {}

/** The host could not be reached at all (DNS, refused, TLS, timeout). */
export class RegistryUnreachableError extends RegistryError {}

/** 401/403: no credentials, wrong ones, or not allowed. */
export class RegistryAuthError extends RegistryError {}

/** The tag or digest (or the repository) does not exist in the registry. */
export class ManifestUnknownError extends RegistryError {
  constructor(reference: string, detail?: string) {
    super(`manifest for ${reference} not found${detail ? ` (${detail})` : ''}: check the repository name and the tag or digest`)
  }
}

/** A blob or manifest whose bytes are not the ones its descriptor names. Nothing of it is kept. */
export class BlobVerificationError extends TsrunError {}

/** No manifest for the wanted platform. */
export class PlatformNotFoundError extends TsrunError {}
