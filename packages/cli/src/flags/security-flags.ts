import { Flags } from '@oclif/core'
import { parseHostOptions, type HostOptions } from '@tsrun/core'

const many = { multiple: true, multipleNonGreedy: true } as const

/** Security, restart and log flags of `run` and `create`, with Docker's names. */
export const securityFlags = {
  'cap-add': Flags.string({ ...many, description: 'add a Linux capability (e.g. NET_ADMIN, or ALL)' }),
  'cap-drop': Flags.string({ ...many, description: 'drop a Linux capability (e.g. CHOWN, or ALL)' }),
  privileged: Flags.boolean({ description: 'all capabilities, all host devices, no masked paths, no seccomp' }),
  'read-only': Flags.boolean({ description: "mount the container's root filesystem read-only" }),
  'security-opt': Flags.string({ ...many, description: 'no-new-privileges, seccomp=unconfined or seccomp=PROFILE.json' }),
  ulimit: Flags.string({ ...many, description: 'resource limit NAME=SOFT[:HARD], e.g. nofile=1024:2048' }),
  sysctl: Flags.string({ ...many, description: 'namespaced kernel parameter KEY=VALUE (kernel.shm*, kernel.msg*, fs.mqueue.*, net.*)' }),
  device: Flags.string({ ...many, description: 'add a host device: /dev/HOST[:/dev/CONTAINER][:rwm]' }),
  restart: Flags.string({ description: 'restart policy: no, on-failure[:max-retries], always, unless-stopped' }),
  'log-opt': Flags.string({ ...many, description: 'log option: max-size=10m, max-file=3' }),
  'log-driver': Flags.string({ description: 'log driver: json-file (default), k8s-file, journald or none' }),
}

/** The parsed flags of `securityFlags`. */
export interface SecurityFlagValues {
  'cap-add'?: string[]
  'cap-drop'?: string[]
  privileged?: boolean
  'read-only'?: boolean
  'security-opt'?: string[]
  ulimit?: string[]
  sysctl?: string[]
  device?: string[]
  restart?: string
  'log-opt'?: string[]
  'log-driver'?: string
}

/** Check the values (one-line errors, exit 125) and turn them into HostConfig fields. */
export function toHostOptions(f: SecurityFlagValues & { rm?: boolean; network?: string; 'oom-score-adj'?: number; 'group-add'?: string[] }): HostOptions {
  return parseHostOptions({
    capAdd: f['cap-add'],
    capDrop: f['cap-drop'],
    privileged: f.privileged,
    readOnly: f['read-only'],
    securityOpt: f['security-opt'],
    ulimit: f.ulimit,
    sysctl: f.sysctl,
    device: f.device,
    restart: f.restart,
    logOpt: f['log-opt'],
    logDriver: f['log-driver'],
    oomScoreAdj: f['oom-score-adj'],
    groupAdd: f['group-add'],
    autoRemove: f.rm,
    network: f.network,
  })
}
