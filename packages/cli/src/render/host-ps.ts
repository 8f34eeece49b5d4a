import { spawnSync } from 'node:child_process'
import { TsrunError } from '@tsrun/core'

/** A ps listing cut to some processes: its header and rows, the last column joined back when it held spaces. */
export interface PsListing {
  titles: string[]
  rows: string[][]
}

/**
 * `top CONTAINER [ps OPTIONS]` as Docker's daemon does it: the host's ps
 * (never one in the image) runs with the options given, first with
 * `-q PIDS` so it reads only the container's processes, and again without
 * when those options refuse `-q` (`f`, for one); then only the rows whose
 * PID column is one of the container's pids are kept.
 */
export function hostPs(args: string[], pids: number[]): PsListing {
  let out = runPs([...args, '-q', pids.join(',')])
  if (out === undefined) out = runPs(args)
  if (out === undefined) throw new TsrunError(`ps ${args.join(' ')} failed on the host: check the options (they are the host's ps options)`)
  return parsePsOutput(out, pids)
}

function runPs(args: string[]): string | undefined {
  const r = spawnSync('ps', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  if (r.error) {
    const why = (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'ps is not installed on the host (Debian: apt-get install procps)' : r.error.message
    throw new TsrunError(`top with ps options runs the host's ps: ${why}`)
  }
  return r.status === 0 ? r.stdout : undefined
}

/** Docker's parsePSOutput: the PID column found by its title, rows split on blanks, the last column keeping its spaces. */
export function parsePsOutput(text: string, pids: number[]): PsListing {
  const lines = text.split('\n').filter((l) => l.trim() !== '')
  const titles = (lines[0] ?? '').trim().split(/\s+/)
  const pidIndex = titles.indexOf('PID')
  if (pidIndex < 0) throw new TsrunError("couldn't find PID field in ps output")
  const wanted = new Set(pids.map(String))
  const rows: string[][] = []
  for (const line of lines.slice(1)) {
    const fields = line.trim().split(/\s+/)
    if (!wanted.has(fields[pidIndex])) continue
    const last = titles.length - 1
    rows.push([...fields.slice(0, last), fields.slice(last).join(' ')])
  }
  return { titles, rows }
}
