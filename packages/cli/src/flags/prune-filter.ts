import { InvalidArgumentError, parseTimeArg } from '@tsrun/core'

/**
 * `--filter until=...` of `container prune` and `system prune`, as Docker
 * takes it: a unix timestamp, an RFC 3339 date or time, or a Go duration
 * counted back from now (`24h`, `10m`): only what was created before it is
 * removed. Answers the instant in nanoseconds (undefined without a filter).
 */
export function parsePruneUntil(filters: string[] | undefined, command: string): number | undefined {
  let until: number | undefined
  for (const f of filters ?? []) {
    const eq = f.indexOf('=')
    const key = eq < 0 ? f : f.slice(0, eq)
    if (key !== 'until' || eq < 0 || eq === f.length - 1) throw new InvalidArgumentError(`invalid filter "${f}": ${command} takes until=TIMESTAMP (a unix time, an RFC 3339 date, or a duration like 24h)`)
    const t = parseTimeArg(f.slice(eq + 1), 'until filter')
    until = until === undefined ? t : Math.min(until, t)
  }
  return until
}
