import { InvalidArgumentError } from '../errors'

/** Docker's `HostConfig.RestartPolicy`. */
export interface RestartPolicy {
  Name: 'no' | 'always' | 'unless-stopped' | 'on-failure'
  /** on-failure only: restarts at most this many times (0: no limit). */
  MaximumRetryCount: number
}

/** `no`, `always`, `unless-stopped`, `on-failure`, `on-failure:N`. */
export function parseRestartPolicy(s: string): RestartPolicy {
  const m = /^(no|always|unless-stopped|on-failure)(?::(\d+))?$/.exec(s.trim())
  if (!m || (m[2] !== undefined && m[1] !== 'on-failure')) {
    throw new InvalidArgumentError(`invalid restart policy "${s}": use no, always, unless-stopped or on-failure[:max-retries]`)
  }
  return { Name: m[1] as RestartPolicy['Name'], MaximumRetryCount: m[2] === undefined ? 0 : Number(m[2]) }
}

/** The annotation value the monitor reads (`io.tsrun.restart`): `on-failure:3`, `always`. */
export function restartAnnotation(p: RestartPolicy): string {
  return p.Name === 'on-failure' && p.MaximumRetryCount > 0 ? `on-failure:${p.MaximumRetryCount}` : p.Name
}
