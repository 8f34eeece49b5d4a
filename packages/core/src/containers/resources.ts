import * as os from 'node:os'
import { InvalidArgumentError } from '../errors'

/**
 * Resource limits of a container, in Docker's `HostConfig` names and units
 * (bytes, nano-CPUs), as `run`/`create`/`update` decide them and `inspect`
 * shows them. Absent = not limited. `MemorySwap` counts memory plus swap, as
 * in Docker and cgroup v1 (`-1` = unlimited swap).
 */
export interface ResourceLimits {
  Memory?: number
  MemorySwap?: number
  NanoCpus?: number
  CpuShares?: number
  CpusetCpus?: string
  PidsLimit?: number
}

/** The limit flags as typed (`--memory 64m --cpus 0.5 ...`). */
export interface ResourceInput {
  memory?: string
  memorySwap?: string
  cpus?: string
  cpuShares?: number
  cpusetCpus?: string
  pidsLimit?: number
}

/** Docker refuses less memory than this (a container could not even start). */
const MIN_MEMORY = 6 * 1024 * 1024
/** CFS period used for `--cpus` (Docker's and the kernel's default). */
export const CPU_PERIOD = 100_000

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 }

/** `64m`, `512k`, `1g`, `1.5g`, `100` (bytes), `64mb`: binary units, as Docker's RAMInBytes. */
export function parseSize(flag: string, value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([bkmgtp]?)b?\s*$/i.exec(value)
  if (!m) throw new InvalidArgumentError(`invalid value "${value}" for --${flag}: expected a size like 64m, 512k or 1g`)
  return Math.round(Number(m[1]) * UNITS[m[2].toLowerCase()])
}

/** `0-2,4` style CPU lists; every CPU must exist on this host. */
function parseCpuset(value: string, hostCpus: number): string {
  const v = value.trim()
  if (!/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(v)) {
    throw new InvalidArgumentError(`invalid value "${value}" for --cpuset-cpus: expected a list like 0-2,4`)
  }
  for (const part of v.split(',')) {
    const [a, b] = part.split('-').map(Number)
    if ((b !== undefined && b < a) || Math.max(a, b ?? a) >= hostCpus) {
      throw new InvalidArgumentError(`invalid value "${value}" for --cpuset-cpus: this host has CPUs 0-${hostCpus - 1}`)
    }
  }
  return v
}

/**
 * Check the flags and turn them into limits. `base` holds the limits already
 * in force (for `update`): a new `--memory` without `--memory-swap` gets
 * Docker's default swap again (twice the memory) unless swap was unlimited.
 * Every failure is one InvalidArgumentError naming the flag and the value.
 */
export function parseResources(input: ResourceInput, base: ResourceLimits = {}, hostCpus = os.availableParallelism()): ResourceLimits {
  const out: ResourceLimits = { ...base }
  if (input.memory !== undefined) {
    const mem = parseSize('memory', input.memory)
    if (mem !== 0 && mem < MIN_MEMORY) throw new InvalidArgumentError(`invalid value "${input.memory}" for --memory: the minimum is 6m`)
    out.Memory = mem || undefined
    if (input.memorySwap === undefined) out.MemorySwap = mem === 0 ? undefined : base.MemorySwap === -1 ? -1 : 2 * mem
  }
  if (input.memorySwap !== undefined) {
    const swap = input.memorySwap.trim() === '-1' ? -1 : parseSize('memory-swap', input.memorySwap)
    if (!out.Memory) throw new InvalidArgumentError(`--memory-swap needs --memory: the swap limit counts memory plus swap`)
    if (swap !== -1 && swap < out.Memory) {
      throw new InvalidArgumentError(`invalid value "${input.memorySwap}" for --memory-swap: it counts memory plus swap, so it must be at least --memory (${input.memory ?? out.Memory})`)
    }
    out.MemorySwap = swap
  }
  if (input.cpus !== undefined) {
    const n = /^\s*\d*\.?\d+\s*$/.test(input.cpus) ? Number(input.cpus) : NaN
    if (!(n >= 0.01 && n <= hostCpus)) {
      throw new InvalidArgumentError(`invalid value "${input.cpus}" for --cpus: the range is 0.01 to ${hostCpus.toFixed(2)} (this host has ${hostCpus} CPUs)`)
    }
    out.NanoCpus = Math.round(n * 1e9)
  }
  if (input.cpuShares !== undefined) {
    if (!Number.isInteger(input.cpuShares) || input.cpuShares < 0) {
      throw new InvalidArgumentError(`invalid value "${input.cpuShares}" for --cpu-shares: expected a whole number (1024 is the default weight)`)
    }
    out.CpuShares = input.cpuShares || undefined
  }
  if (input.cpusetCpus !== undefined) out.CpusetCpus = parseCpuset(input.cpusetCpus, hostCpus)
  if (input.pidsLimit !== undefined) {
    if (!Number.isInteger(input.pidsLimit)) throw new InvalidArgumentError(`invalid value "${input.pidsLimit}" for --pids-limit: expected a whole number`)
    out.PidsLimit = input.pidsLimit > 0 ? input.pidsLimit : -1
  }
  return out
}

/** True when any flag of `input` was given. */
export function hasResourceInput(input: ResourceInput): boolean {
  return Object.values(input).some((v) => v !== undefined)
}

/** OCI `linux.resources` for the limits (only what is set). */
export function ociResources(l: ResourceLimits): Record<string, unknown> {
  const r: Record<string, unknown> = {}
  if (l.Memory || l.MemorySwap) r.memory = { ...(l.Memory ? { limit: l.Memory } : {}), ...(l.MemorySwap ? { swap: l.MemorySwap } : {}) }
  const cpu: Record<string, unknown> = {}
  if (l.CpuShares) cpu.shares = l.CpuShares
  if (l.NanoCpus) {
    cpu.quota = Math.round((l.NanoCpus * CPU_PERIOD) / 1e9)
    cpu.period = CPU_PERIOD
  }
  if (l.CpusetCpus) cpu.cpus = l.CpusetCpus
  if (Object.keys(cpu).length) r.cpu = cpu
  if (l.PidsLimit) r.pids = { limit: l.PidsLimit }
  return r
}

/** The user-facing warning for each controller the host cannot enforce (names from the native side). */
export function missingControllerWarnings(missing: string[]): string[] {
  return missing.map((m) =>
    m === 'memory swap'
      ? 'your kernel does not support swap limit capabilities or the cgroup is not mounted: memory limited without swap'
      : `the cgroup controller "${m}" is not available on this host: its limit is ignored`,
  )
}
