import { Flags } from '@oclif/core'
import type { MountInputs } from '@tsrun/core'

/** `run`/`create` flags that mount storage into the container, with Docker's names. */
export const mountFlags = {
  volume: Flags.string({
    char: 'v',
    multiple: true,
    multipleNonGreedy: true,
    description: 'mount a volume or a host path: NAME:/dst, /host/path:/dst, or /dst (anonymous); options after a third colon: ro, rw, nocopy, z, rshared, rslave, ...',
  }),
  mount: Flags.string({
    multiple: true,
    multipleNonGreedy: true,
    description: 'mount storage: type=volume|bind|tmpfs,src=..,dst=..[,readonly][,volume-nocopy][,volume-subpath=DIR][,bind-propagation=..][,tmpfs-size=64m][,tmpfs-mode=1770]',
  }),
  tmpfs: Flags.string({ multiple: true, multipleNonGreedy: true, description: 'mount a tmpfs: /dst[:size=64m,mode=1770,...]' }),
  'volumes-from': Flags.string({ multiple: true, multipleNonGreedy: true, description: "mount every volume and bind of another container: NAME[:ro|rw]" }),
}

export interface MountFlagValues {
  volume?: string[]
  mount?: string[]
  tmpfs?: string[]
  'volumes-from'?: string[]
}

/** The flags as the engine takes them; all checking happens in core (planMounts). */
export function toMountInputs(flags: MountFlagValues): MountInputs {
  return { volumes: flags.volume ?? [], mounts: flags.mount ?? [], tmpfs: flags.tmpfs ?? [], volumesFrom: flags['volumes-from'] ?? [] }
}
