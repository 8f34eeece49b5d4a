import { InvalidArgumentError } from '../errors'

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }

/**
 * Bytes from `64m`, `100M`, `1.5g`, `64MiB`, `64mb`, `4096`: binary units, as
 * Docker's RAMInBytes reads tmpfs sizes. Anything else is an
 * InvalidArgumentError naming `what` and the value.
 */
export function parseByteSize(value: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?$/i.exec(value.trim())
  if (!m || (m[2] === '' && /[a-z]$/i.test(value.trim()) && !/b$/i.test(value.trim()))) {
    throw new InvalidArgumentError(`invalid ${what} "${value}": expected a size like 64m, 1g or 4096`)
  }
  const bytes = Math.floor(Number(m[1]) * UNITS[m[2].toLowerCase()])
  if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new InvalidArgumentError(`invalid ${what} "${value}": the size must be positive`)
  return bytes
}
