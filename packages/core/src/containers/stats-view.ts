import * as fs from 'node:fs'
import * as os from 'node:os'
import type { CgroupFigures } from '../backends/isolation-control'
import { humanSize } from '../util/human'

/** One container's figures at one instant, plus the wall clock and network counters. */
export interface StatsSample {
  at: number
  figures: CgroupFigures
  netRx: number
  netTx: number
}

/** A `tsrun stats` row, with Docker's keys (`--format json` prints these). */
export interface StatsRow {
  ID: string
  Name: string
  Container: string
  CPUPerc: string
  MemUsage: string
  MemPerc: string
  NetIO: string
  BlockIO: string
  PIDs: string
}

/**
 * Bytes received and sent by every interface but `lo` of the network
 * namespace `pid` lives in (`/proc/<pid>/net/dev`): what crossed the
 * container's boundary. 0 when unreadable (it stopped).
 */
export function netBytes(pid: number | undefined): { rx: number; tx: number } {
  if (!pid) return { rx: 0, tx: 0 }
  let rx = 0
  let tx = 0
  try {
    for (const line of fs.readFileSync(`/proc/${pid}/net/dev`, 'utf8').split('\n').slice(2)) {
      const [name, rest] = line.split(':')
      if (!rest || name.trim() === 'lo') continue
      const f = rest.trim().split(/\s+/).map(Number)
      rx += f[0]
      tx += f[8]
    }
  } catch {
    /* gone */
  }
  return { rx, tx }
}

/** `1.5MiB`: binary units with 4 significant digits, as Docker prints memory. */
export function binarySize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let v = bytes
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return `${Number(v.toPrecision(4))}${units[i]}`
}

/** Two samples of one container → a row. CPU % is of one CPU (200% = two busy CPUs), as Docker's. */
export function statsRow(id: string, name: string, a: StatsSample, b: StatsSample): StatsRow {
  const wallNs = (b.at - a.at) * 1e6
  const cpuNs = (b.figures.cpuUsageNs ?? 0) - (a.figures.cpuUsageNs ?? 0)
  const cpu = wallNs > 0 && cpuNs > 0 ? (cpuNs / wallNs) * 100 : 0
  const usage = b.figures.memoryUsage ?? 0
  const limit = b.figures.memoryLimit ?? os.totalmem()
  return {
    ID: id.slice(0, 12),
    Name: name,
    Container: id.slice(0, 12),
    CPUPerc: `${cpu.toFixed(2)}%`,
    MemUsage: `${binarySize(usage)} / ${binarySize(limit)}`,
    MemPerc: `${limit ? ((usage / limit) * 100).toFixed(2) : '0.00'}%`,
    NetIO: `${humanSize(b.netRx)} / ${humanSize(b.netTx)}`,
    BlockIO: `${humanSize(b.figures.blkRead ?? 0)} / ${humanSize(b.figures.blkWrite ?? 0)}`,
    PIDs: String(b.figures.pids ?? 0),
  }
}
