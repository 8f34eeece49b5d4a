import { spawn, spawnSync } from 'node:child_process'
import { TsrunError } from '../errors'
import type { LogEntry, LogReadOptions, LogSink } from './logs'

/** A journal entry as `journalctl -o json` prints it (MESSAGE is an array of bytes when it is not clean UTF-8). */
interface JournalRecord {
  MESSAGE?: string | number[] | null
  PRIORITY?: string
  CONTAINER_PARTIAL_MESSAGE?: string
  __REALTIME_TIMESTAMP?: string
  __CURSOR?: string
}

/** Microseconds since the epoch as RFC 3339 with nanoseconds, UTC (the json-file log's form). */
function usToRfc3339(us: string): string {
  const n = BigInt(us)
  const ms = Number(n / 1000n)
  const nanos = (n % 1_000_000n) * 1000n
  return `${new Date(ms).toISOString().slice(0, 19)}.${nanos.toString().padStart(9, '0')}Z`
}

/** One journal record as a log entry: stderr for priority 3, a newline unless it was a partial line. */
export function journalEntry(r: JournalRecord): LogEntry | undefined {
  if (r.MESSAGE === undefined || r.MESSAGE === null || !r.__REALTIME_TIMESTAMP) return undefined
  const text = Array.isArray(r.MESSAGE) ? Buffer.from(r.MESSAGE).toString('utf8') : r.MESSAGE
  return {
    log: r.CONTAINER_PARTIAL_MESSAGE === 'true' ? text : `${text}\n`,
    stream: r.PRIORITY === '3' ? 'stderr' : 'stdout',
    time: usToRfc3339(r.__REALTIME_TIMESTAMP),
  }
}

/** journalctl's `--since/--until` take `@SECONDS` with a fraction. */
function at(nano: number): string {
  return `@${(nano / 1e9).toFixed(6)}`
}

/**
 * `logs` of a container on the `journald` driver: its entries
 * (CONTAINER_ID_FULL, as Docker's driver tags them) through journalctl,
 * with --tail as `-n`, --since/--until, and --follow until the container
 * stops (then the entries written meanwhile are read to the end, from the
 * last cursor, so none is lost).
 */
export async function readJournal(id: string, opts: LogReadOptions, stillRunning: () => Promise<boolean>, sink: LogSink): Promise<void> {
  const base = ['-o', 'json', '--no-pager', '-q', `CONTAINER_ID_FULL=${id}`]
  if (opts.sinceNano !== undefined) base.push('--since', at(opts.sinceNano))
  if (opts.untilNano !== undefined) base.push('--until', at(opts.untilNano))
  // journald takes datagrams in order but on its own time: ask it to catch up first (best effort).
  spawnSync('journalctl', ['--sync'], { stdio: 'ignore' })
  let cursor: string | undefined
  const first = [...base, ...(opts.tail !== undefined ? ['-n', String(opts.tail)] : [])]
  if (!opts.follow || opts.untilNano !== undefined) {
    await journalctl(first, sink, (c) => (cursor = c))
    return
  }
  await journalctl([...first, '-f'], sink, (c) => (cursor = c), stillRunning)
  spawnSync('journalctl', ['--sync'], { stdio: 'ignore' })
  await journalctl(cursor ? [...base, `--after-cursor=${cursor}`] : base, sink, () => undefined)
}

/** Run journalctl with `args`, hand each entry to `sink`; with `until`, stop it once that answers false. */
function journalctl(args: string[], sink: LogSink, seen: (cursor: string) => void, running?: () => Promise<boolean>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('journalctl', args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    let timer: NodeJS.Timeout | undefined
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', (err) => reject(new TsrunError(`cannot read the journal: journalctl: ${err.message}`)))
    // Loaded here: only the journald driver's `logs` needs it, and core loads with every command.
    const { createInterface } = require('node:readline') as typeof import('node:readline')
    const lines = createInterface({ input: child.stdout })
    let chain = Promise.resolve()
    lines.on('line', (l) => {
      chain = chain.then(async () => {
        let r: JournalRecord
        try {
          r = JSON.parse(l) as JournalRecord
        } catch {
          return
        }
        if (r.__CURSOR) seen(r.__CURSOR)
        const e = journalEntry(r)
        if (e) await sink.entry(e)
      })
    })
    if (running) {
      const poll = async () => {
        if (await running()) timer = setTimeout(poll, 200)
        else child.kill('SIGTERM')
      }
      timer = setTimeout(poll, 200)
    }
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer)
      chain
        .then(() => sink.flush?.())
        .then(() => {
          // 1 without a word: no entries matched (journalctl 255 and later).
          const none = code === 1 && stderr.trim() === ''
          if (code !== 0 && !none && !(running && signal === 'SIGTERM')) {
            reject(new TsrunError(`cannot read the journal: ${stderr.trim().split('\n').pop() || `journalctl exited with ${code ?? signal}`}`))
          } else resolve()
        }, reject)
    })
  })
}
