import { parseTmpfsFlag, parseVolumeFlag } from './mount-request'
import type { MountInputs } from './container-mounts'

/** How Docker's container config records the mount flags (inspect's `HostConfig.Binds`, `.Tmpfs`, `.VolumesFrom`, `Config.Volumes`). */
export interface DockerMountConfig {
  /** `-v SRC:DST[:MODE]` with a source, host paths made absolute (as Docker's CLI sends them); null when none. */
  Binds: string[] | null
  /** `--tmpfs DST[:OPTS]`: destination to its options as typed; absent when none (Docker omits it). */
  Tmpfs?: Record<string, string>
  /** `--volumes-from` as typed; null when none. */
  VolumesFrom: string[] | null
  /** Anonymous `-v DST` and the image's VOLUMEs; null when none. */
  Volumes: Record<string, Record<string, never>> | null
}

/**
 * The mount flags of a create (already checked by planMounts) in Docker's
 * config fields, so `inspect` shows what Docker's shows and scripts that
 * read `{{.HostConfig.Binds}}` or `{{.Config.Volumes}}` get it. `--mount`
 * is Docker's `HostConfig.Mounts`, which tsrun does not keep: those mounts
 * are in `Mounts` only.
 */
export function dockerMountConfig(inputs: MountInputs, imageVolumes: string[]): DockerMountConfig {
  const binds: string[] = []
  const volumes: Record<string, Record<string, never>> = {}
  for (const spec of inputs.volumes ?? []) {
    const req = parseVolumeFlag(spec)
    const parts = spec.split(':')
    if (req.type === 'volume' && !req.name) volumes[parts[0]] = {}
    else binds.push([req.type === 'bind' ? req.source : parts[0], ...parts.slice(1)].join(':'))
  }
  for (const v of imageVolumes) volumes[v] = {}
  const tmpfs: Record<string, string> = {}
  for (const spec of inputs.tmpfs ?? []) {
    const colon = spec.indexOf(':')
    tmpfs[parseTmpfsFlag(spec).target] = colon < 0 ? '' : spec.slice(colon + 1)
  }
  return {
    Binds: binds.length ? binds : null,
    ...(Object.keys(tmpfs).length ? { Tmpfs: tmpfs } : {}),
    VolumesFrom: inputs.volumesFrom?.length ? [...inputs.volumesFrom] : null,
    Volumes: Object.keys(volumes).length ? volumes : null,
  }
}
