import { Flags } from '@oclif/core'
import { hasResourceInput, parseResources, type ResourceInput, type ResourceLimits } from '@tsrun/core'

/** Resource limit flags, shared by `run`, `create` and `update`, with Docker's names. */
export const resourceFlags = {
  memory: Flags.string({ char: 'm', description: 'memory limit, e.g. 64m or 1g (binary units)' }),
  'memory-swap': Flags.string({ description: 'memory plus swap limit (-1: unlimited swap; default twice --memory)' }),
  cpus: Flags.string({ description: 'number of CPUs, e.g. 0.5 (a CFS quota)' }),
  'cpu-shares': Flags.integer({ char: 'c', description: 'relative CPU weight (default 1024)' }),
  'cpuset-cpus': Flags.string({ description: 'CPUs allowed, e.g. 0-2,4' }),
  'pids-limit': Flags.integer({ description: 'maximum number of processes (0 or -1: unlimited)' }),
  'memory-reservation': Flags.string({ description: 'memory soft limit, e.g. 32m' }),
  'cpu-period': Flags.integer({ description: 'CPU CFS period in microseconds (1000 to 1000000)' }),
  'cpu-quota': Flags.integer({ description: 'CPU CFS quota in microseconds per period (-1: unlimited)' }),
  'blkio-weight': Flags.integer({ description: 'block I/O weight, 10 to 1000 (0: unset)' }),
}

export interface ResourceFlagValues {
  memory?: string
  'memory-swap'?: string
  cpus?: string
  'cpu-shares'?: number
  'cpuset-cpus'?: string
  'pids-limit'?: number
  'memory-reservation'?: string
  'cpu-period'?: number
  'cpu-quota'?: number
  'blkio-weight'?: number
  /** run/create only (runtime-flags.ts). */
  'oom-kill-disable'?: boolean
  'device-read-bps'?: string[]
  'device-write-bps'?: string[]
  'device-read-iops'?: string[]
  'device-write-iops'?: string[]
}

export function resourceInput(f: ResourceFlagValues): ResourceInput {
  return {
    memory: f.memory,
    memorySwap: f['memory-swap'],
    cpus: f.cpus,
    cpuShares: f['cpu-shares'],
    cpusetCpus: f['cpuset-cpus'],
    pidsLimit: f['pids-limit'],
    memoryReservation: f['memory-reservation'],
    cpuPeriod: f['cpu-period'],
    cpuQuota: f['cpu-quota'],
    blkioWeight: f['blkio-weight'],
    oomKillDisable: f['oom-kill-disable'] ? true : undefined,
    deviceReadBps: f['device-read-bps'],
    deviceWriteBps: f['device-write-bps'],
    deviceReadIops: f['device-read-iops'],
    deviceWriteIops: f['device-write-iops'],
  }
}

/** The checked limits, or undefined when no limit flag was given. */
export function toResources(f: ResourceFlagValues): ResourceLimits | undefined {
  const input = resourceInput(f)
  return hasResourceInput(input) ? parseResources(input) : undefined
}
