import { InvalidArgumentError, type VolumeRecord } from '@tsrun/core'

/** `docker volume inspect`'s shape for one volume. */
export function volumeInspectView(v: VolumeRecord, usage?: number): Record<string, unknown> {
  return {
    CreatedAt: v.createdAt,
    Driver: v.driver,
    Labels: v.labels,
    Mountpoint: v.mountpoint,
    Name: v.name,
    Options: v.options,
    Scope: 'local',
    ...(usage !== undefined && usage >= 0 ? { UsageData: { Size: usage, RefCount: -1 } } : {}),
  }
}

/** Parse `-o K=V` / `--label K=V` words into a map; `what` names the flag in errors. */
export function keyValues(values: string[] | undefined, what: string, allowBare = false): Record<string, string> {
  const out: Record<string, string> = {}
  for (const v of values ?? []) {
    const eq = v.indexOf('=')
    if (eq === 0 || (eq < 0 && !allowBare)) throw new InvalidArgumentError(`invalid ${what} "${v}": expected KEY=VALUE`)
    out[eq < 0 ? v : v.slice(0, eq)] = eq < 0 ? '' : v.slice(eq + 1)
  }
  return out
}
