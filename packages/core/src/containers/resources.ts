import * as fs from 'node:fs'
import * as os from 'node:os'
import { InvalidArgumentError } from '../errors'

/** A per-device block I/O limit, as Docker's HostConfig keeps it (`--device-read-bps /dev/vda:1mb`). */
export interface ThrottleDevice {
  Path: string
  /** Bytes or operations per second. */
  Rate: number
}

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
  /** `--memory-reservation`: the soft limit (v1 soft_limit_in_bytes, v2 memory.low). */
  MemoryReservation?: number
  /** `--oom-kill-disable` (cgroup v1 only). */
  OomKillDisable?: boolean
  /** `--cpu-period` / `--cpu-quota`, in microseconds (quota -1: unlimited). */
  CpuPeriod?: number
  CpuQuota?: number
  /** `--blkio-weight`, 10 to 1000. */
  BlkioWeight?: number
  BlkioDeviceReadBps?: ThrottleDevice[]
  BlkioDeviceWriteBps?: ThrottleDevice[]
  BlkioDeviceReadIOps?: ThrottleDevice[]
  BlkioDeviceWriteIOps?: ThrottleDevice[]
}

/** The limit flags as typed (`--memory 64m --cpus 0.5 ...`). */
export interface ResourceInput {
  memory?: string
  memorySwap?: string
  cpus?: string
  cpuShares?: number
  cpusetCpus?: string
  pidsLimit?: number
  memoryReservation?: string
  oomKillDisable?: boolean
  cpuPeriod?: number
  cpuQuota?: number
  blkioWeight?: number
  deviceReadBps?: string[]
  deviceWriteBps?: string[]
  deviceReadIops?: string[]
  deviceWriteIops?: string[]
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
  parseMoreLimits(input, out)
  return out
}

/**
 * The limits beyond the everyday ones, with Docker's checks and messages
 * (daemon/daemon_unix.go, cli/opts/throttledevice.go): soft memory limit,
 * the OOM killer switch, CFS period and quota, block I/O weight and
 * per-device throttles.
 */
function parseMoreLimits(input: ResourceInput, out: ResourceLimits): void {
  if (input.memoryReservation !== undefined) {
    const r = parseSize('memory-reservation', input.memoryReservation)
    if (r !== 0 && r < MIN_MEMORY) throw new InvalidArgumentError(`invalid value "${input.memoryReservation}" for --memory-reservation: the minimum is 6m`)
    out.MemoryReservation = r || undefined
  }
  if (out.Memory && out.MemoryReservation && out.Memory < out.MemoryReservation) {
    throw new InvalidArgumentError('--memory cannot be less than --memory-reservation: the reservation is a soft limit below the hard one')
  }
  if (input.oomKillDisable) out.OomKillDisable = true
  if (input.cpuPeriod !== undefined) {
    if (!Number.isInteger(input.cpuPeriod) || (input.cpuPeriod !== 0 && (input.cpuPeriod < 1000 || input.cpuPeriod > 1_000_000))) {
      throw new InvalidArgumentError(`invalid value "${input.cpuPeriod}" for --cpu-period: CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)`)
    }
    out.CpuPeriod = input.cpuPeriod || undefined
  }
  if (input.cpuQuota !== undefined) {
    if (!Number.isInteger(input.cpuQuota) || (input.cpuQuota > 0 && input.cpuQuota < 1000) || input.cpuQuota < -1) {
      throw new InvalidArgumentError(`invalid value "${input.cpuQuota}" for --cpu-quota: CPU cfs quota can not be less than 1ms (i.e. 1000); -1 is unlimited`)
    }
    out.CpuQuota = input.cpuQuota || undefined
  }
  if (out.NanoCpus && (out.CpuPeriod || out.CpuQuota)) {
    // Docker: "Conflicting options: Nano CPUs and CPU Period cannot both be set".
    throw new InvalidArgumentError(`conflicting options: --cpus and --cpu-${out.CpuPeriod ? 'period' : 'quota'} cannot both be set (--cpus is a quota over a 100ms period)`)
  }
  if (input.blkioWeight !== undefined) {
    if (!Number.isInteger(input.blkioWeight) || (input.blkioWeight !== 0 && (input.blkioWeight < 10 || input.blkioWeight > 1000))) {
      throw new InvalidArgumentError(`invalid value "${input.blkioWeight}" for --blkio-weight: the range is from 10 to 1000 (0 leaves it unset)`)
    }
    out.BlkioWeight = input.blkioWeight || undefined
  }
  const throttles: Array<[keyof ResourceInput, 'BlkioDeviceReadBps' | 'BlkioDeviceWriteBps' | 'BlkioDeviceReadIOps' | 'BlkioDeviceWriteIOps', boolean]> = [
    ['deviceReadBps', 'BlkioDeviceReadBps', true],
    ['deviceWriteBps', 'BlkioDeviceWriteBps', true],
    ['deviceReadIops', 'BlkioDeviceReadIOps', false],
    ['deviceWriteIops', 'BlkioDeviceWriteIOps', false],
  ]
  for (const [key, field, bytes] of throttles) {
    const values = input[key] as string[] | undefined
    if (values?.length) out[field] = values.map((v) => parseThrottle(v, `--${kebab(key)}`, bytes))
  }
}

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
}

/** `/dev/vda:1mb` (bytes per second) or `/dev/vda:100` (operations per second), as Docker's ValidateThrottle*Device. */
export function parseThrottle(value: string, flag: string, bytes: boolean): ThrottleDevice {
  const colon = value.lastIndexOf(':')
  const dev = colon > 0 ? value.slice(0, colon) : ''
  const rate = colon > 0 ? value.slice(colon + 1) : ''
  const format = bytes ? '<device-path>:<number>[<unit>], e.g. /dev/vda:1mb' : '<device-path>:<number>, e.g. /dev/vda:100'
  if (!dev || !rate) throw new InvalidArgumentError(`invalid value "${value}" for ${flag}: the format is ${format}`)
  if (!dev.startsWith('/dev/')) throw new InvalidArgumentError(`invalid value "${value}" for ${flag}: the device path must start with /dev/`)
  let n: number
  if (bytes) {
    n = /^\d+(\.\d+)?[bkmgtp]?b?$/i.test(rate.trim()) ? parseSize(flag.slice(2), rate) : NaN
  } else {
    n = /^\d+$/.test(rate) ? Number(rate) : NaN
  }
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(`invalid rate "${rate}" for ${flag}: the format is ${format}; the number must be a positive integer`)
  blockDeviceNumbers(dev, flag)
  return { Path: dev, Rate: n }
}

/** major:minor of a block device on the host (stat), or one line saying why it is not one. */
export function blockDeviceNumbers(dev: string, flag: string): { major: number; minor: number } {
  let st: fs.Stats
  try {
    st = fs.statSync(dev)
  } catch {
    throw new InvalidArgumentError(`${flag} ${dev}: no such device on the host`)
  }
  if (!st.isBlockDevice()) throw new InvalidArgumentError(`${flag} ${dev}: not a block device`)
  return { major: Math.floor(st.rdev / 256) & 0xfff, minor: (st.rdev & 0xff) | (Math.floor(st.rdev / 4096) & 0xfff00) }
}

/** True when any flag of `input` was given. */
export function hasResourceInput(input: ResourceInput): boolean {
  return Object.values(input).some((v) => v !== undefined)
}

/** OCI `linux.resources` for the limits (only what is set). */
export function ociResources(l: ResourceLimits): Record<string, unknown> {
  const r: Record<string, unknown> = {}
  const memory: Record<string, unknown> = {}
  if (l.Memory) memory.limit = l.Memory
  if (l.MemorySwap) memory.swap = l.MemorySwap
  if (l.MemoryReservation) memory.reservation = l.MemoryReservation
  if (l.OomKillDisable) memory.disableOOMKiller = true
  if (Object.keys(memory).length) r.memory = memory
  const cpu: Record<string, unknown> = {}
  if (l.CpuShares) cpu.shares = l.CpuShares
  if (l.NanoCpus) {
    cpu.quota = Math.round((l.NanoCpus * CPU_PERIOD) / 1e9)
    cpu.period = CPU_PERIOD
  } else {
    if (l.CpuPeriod) cpu.period = l.CpuPeriod
    if (l.CpuQuota) cpu.quota = l.CpuQuota
  }
  if (l.CpusetCpus) cpu.cpus = l.CpusetCpus
  if (Object.keys(cpu).length) r.cpu = cpu
  if (l.PidsLimit) r.pids = { limit: l.PidsLimit }
  const blockIO: Record<string, unknown> = {}
  if (l.BlkioWeight) blockIO.weight = l.BlkioWeight
  const devices = (list: ThrottleDevice[] | undefined, flag: string) =>
    list?.length ? list.map((d) => ({ ...blockDeviceNumbers(d.Path, flag), rate: d.Rate })) : undefined
  const throttles = {
    throttleReadBpsDevice: devices(l.BlkioDeviceReadBps, '--device-read-bps'),
    throttleWriteBpsDevice: devices(l.BlkioDeviceWriteBps, '--device-write-bps'),
    throttleReadIOPSDevice: devices(l.BlkioDeviceReadIOps, '--device-read-iops'),
    throttleWriteIOPSDevice: devices(l.BlkioDeviceWriteIOps, '--device-write-iops'),
  }
  for (const [k, v] of Object.entries(throttles)) if (v) blockIO[k] = v
  if (Object.keys(blockIO).length) r.blockIO = blockIO
  return r
}

/** The user-facing warning for each controller the host cannot enforce (names from the native side). */
export function missingControllerWarnings(missing: string[]): string[] {
  const said: Record<string, string> = {
    'memory swap': 'your kernel does not support swap limit capabilities or the cgroup is not mounted: memory limited without swap',
    // Docker's words for the same gaps (daemon/daemon_unix.go).
    'oom kill disable': 'your kernel does not support OomKillDisable (cgroup v2 has no such switch): OomKillDisable discarded',
    'blkio weight': 'your kernel does not support Block I/O weight or the cgroup is not mounted: weight discarded',
    'blkio throttle': 'your kernel does not support Block I/O throttling or the cgroup is not mounted: device limits discarded',
  }
  return missing.map((m) => said[m] ?? `the cgroup controller "${m}" is not available on this host: its limit is ignored`)
}
