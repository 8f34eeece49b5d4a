/**
 * Error families of the engine. Each carries a message a person can act on;
 * the CLI prints `Error: <message>` on one line and exits with `exitCode`.
 * 125 is the engine's own failure (as podman and `docker run` do); 126 and 127
 * are reserved for commands that cannot be invoked / are not found.
 */
export class TsrunError extends Error {
  /** The process exit code the CLI uses for this error. */
  readonly exitCode: number = 125
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
  }
}

/** The user asked for something malformed: a flag value, a reference, an env file. */
export class InvalidArgumentError extends TsrunError {}

/** A reference that does not follow the image reference grammar. */
export class InvalidReferenceError extends TsrunError {
  constructor(ref: string, why = 'repository name must be lowercase') {
    super(`invalid reference format: "${ref}": ${why}`)
  }
}

/** No image matches the name or id. */
export class ImageNotFoundError extends TsrunError {
  constructor(ref: string) {
    super(`No such image: ${ref}`)
  }
}

/** No container matches the name or id. */
export class ContainerNotFoundError extends TsrunError {
  constructor(ref: string) {
    super(`No such container: ${ref}`)
  }
}

/** A name or prefix that matches more than one object. */
export class AmbiguousReferenceError extends TsrunError {
  constructor(kind: string, ref: string, matches: string[]) {
    super(`${kind} id prefix "${ref}" is ambiguous: it matches ${matches.map((m) => m.slice(0, 12)).join(', ')}; give more characters`)
  }
}

/** The request conflicts with existing state: a name in use, a running container, an image in use. */
export class ConflictError extends TsrunError {}

/** A backend kind asked for by a name nothing registered. */
export class UnknownBackendError extends TsrunError {
  constructor(kind: string, name: string, known: string[]) {
    super(`unknown ${kind} backend "${name}": registered ${kind} backends are ${known.length ? known.join(', ') : '(none)'}`)
  }
}

/** An archive or layer that is not what it claims or tries to escape its root. */
export class InvalidArchiveError extends TsrunError {}

/**
 * A layer whose uncompressed tar does not hash to the diff_id it was given
 * as. Storage drivers throw it after unpacking into a temporary place, which
 * they then remove: nothing of the layer is kept.
 */
export class LayerDiffIdMismatchError extends InvalidArchiveError {
  constructor(
    readonly blobPath: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`layer ${blobPath}: its uncompressed content is ${actual}, not ${expected}; nothing of it was kept`)
  }
}

/** The container's command could not be started (126/127 keep their own codes). */
export class ContainerStartError extends TsrunError {
  override readonly exitCode: number
  constructor(message: string, exitCode: number) {
    super(message)
    this.exitCode = exitCode
  }
}

/** No network has this name or id (Docker's CLI: "No such network"). */
export class NetworkNotFoundError extends TsrunError {
  constructor(ref: string) {
    super(`No such network: ${ref}`)
  }
}

/** No volume has this name. */
export class VolumeNotFoundError extends TsrunError {
  constructor(name: string) {
    super(`No such volume: ${name}`)
  }
}
