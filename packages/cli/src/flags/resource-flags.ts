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
}

export interface ResourceFlagValues {
  memory?: string
  'memory-swap'?: string
  cpus?: string
  'cpu-shares'?: number
  'cpuset-cpus'?: string
  'pids-limit'?: number
}

export function resourceInput(f: ResourceFlagValues): ResourceInput {
  return {
    memory: f.memory,
    memorySwap: f['memory-swap'],
    cpus: f.cpus,
    cpuShares: f['cpu-shares'],
    cpusetCpus: f['cpuset-cpus'],
    pidsLimit: f['pids-limit'],
  }
}

/** The checked limits, or undefined when no limit flag was given. */
export function toResources(f: ResourceFlagValues): ResourceLimits | undefined {
  const input = resourceInput(f)
  return hasResourceInput(input) ? parseResources(input) : undefined
}
