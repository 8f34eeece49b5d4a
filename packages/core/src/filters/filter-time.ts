import { InvalidArgumentError } from '../errors'
import { parseTimeArg, rfc3339Nano } from '../util/time-arg'

/**
 * An `until=` value (prune and image filters) in nanoseconds since the
 * epoch: a time or a duration back from now, as Docker's timestamp.Parse
 * reads it. A value it cannot read is one line naming it.
 */
export function parseUntil(value: string, now = Date.now()): number {
  try {
    return parseTimeArg(value, 'until', now)
  } catch {
    throw new InvalidArgumentError(`invalid value for 'until' filter: failed to parse value as time or duration: "${value}" (give an RFC 3339 time, unix seconds, or a duration like 24h)`)
  }
}

/** Nanoseconds since the epoch of a created timestamp; undefined when there is none to compare. */
export function createdNano(created: string | undefined): number | undefined {
  if (!created) return undefined
  const n = rfc3339Nano(created)
  return Number.isNaN(n) ? undefined : n
}
