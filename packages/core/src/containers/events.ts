import * as fs from 'node:fs'
import type { ContainerRecord } from './record'

/**
 * One line of the events journal, in Docker's events shape. `Actor.Attributes`
 * carries `name` and `image` (and `exitCode` for `die`, `signal` for `kill`).
 */
export interface EngineEvent {
  Type: 'container'
  Action: string
  Actor: { ID: string; Attributes: Record<string, string> }
  time: number
  /** Docker's int64 nanoseconds: above 2^53, so a bigint (a JavaScript number would round it). */
  timeNano: bigint
}

export interface EventFilter {
  type?: string[]
  event?: string[]
  /** Names or ids (a unique id prefix matches too). */
  container?: string[]
}

export interface EventReadOptions {
  /** Nanoseconds since the epoch; events before it are skipped. */
  sinceNano?: number
  /** Nanoseconds since the epoch; reading stops there (a follow ends once it has passed). */
  untilNano?: number
  follow?: boolean
  filter?: EventFilter
  /** Called between polls while following; return false to stop. */
  keepGoing?: () => boolean
}

/**
 * The events journal, `<root>/events.log`: JSON lines appended by the
 * engine (create, start, kill, stop, pause, unpause, rename, destroy) and
 * by each container's monitor (die, oom, restart). Every event is one
 * `write(2)` with O_APPEND, so concurrent writers never interleave a line.
 * No daemon keeps it: `tsrun events` reads it and follows its growth.
 */
export class EventJournal {
  constructor(readonly file: string) {}

  /** Append one event about `rec`. Best effort: an event is never worth failing the operation. */
  emit(action: string, rec: Pick<ContainerRecord, 'id' | 'name' | 'image'>, attrs: Record<string, string> = {}): void {
    const nowNano = BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n)
    const ev: EngineEvent = {
      Type: 'container',
      Action: action,
      Actor: { ID: rec.id, Attributes: { ...attrs, image: rec.image, name: rec.name } },
      time: Number(nowNano / 1_000_000_000n),
      timeNano: nowNano,
    }
    try {
      fs.appendFileSync(this.file, `${eventLine(ev)}\n`)
    } catch {
      /* best effort */
    }
  }

  /** Hand every matching event to `emit`, oldest first; with `follow`, keep reading as the journal grows. */
  async read(opts: EventReadOptions, emit: (e: EngineEvent) => void): Promise<void> {
    let offset = 0
    let partial = ''
    const drain = (): boolean => {
      let fd: number
      try {
        fd = fs.openSync(this.file, 'r')
      } catch {
        return true
      }
      try {
        const size = fs.fstatSync(fd).size
        if (size <= offset) return true
        const buf = Buffer.alloc(size - offset)
        fs.readSync(fd, buf, 0, buf.length, offset)
        offset = size
        const parts = (partial + buf.toString('utf8')).split('\n')
        partial = parts.pop() ?? ''
        for (const line of parts) {
          const e = parseEvent(line)
          if (!e || (opts.sinceNano !== undefined && Number(e.timeNano) < opts.sinceNano)) continue
          if (opts.untilNano !== undefined && Number(e.timeNano) > opts.untilNano) return false
          if (matches(e, opts.filter)) emit(e)
        }
        return true
      } finally {
        fs.closeSync(fd)
      }
    }
    if (!drain() || !opts.follow) return
    for (;;) {
      if (opts.untilNano !== undefined && Date.now() * 1e6 > opts.untilNano) return
      if (opts.keepGoing && !opts.keepGoing()) return
      await new Promise((r) => setTimeout(r, 100))
      if (!drain()) return
    }
  }
}

/**
 * One journal line, with `timeNano` written exactly: the engine and the
 * monitors both write it last, as a JSON integer.
 */
export function eventLine(e: EngineEvent): string {
  const { timeNano, ...rest } = e
  return `${JSON.stringify(rest).slice(0, -1)},"timeNano":${timeNano.toString()}}`
}

/**
 * Parse one journal line. `timeNano` is read from its digits (JSON.parse
 * would round an int64 to the nearest double); a line without a valid one
 * is skipped, as a torn line is.
 */
export function parseEvent(line: string): EngineEvent | undefined {
  const nano = /,"timeNano":(-?\d+)}\s*$/.exec(line)
  if (!nano) return undefined
  try {
    const e = JSON.parse(`${line.slice(0, nano.index)}}`) as Omit<EngineEvent, 'timeNano'>
    return typeof e.Action === 'string' && e.Actor ? { ...e, timeNano: BigInt(nano[1]) } : undefined
  } catch {
    return undefined
  }
}

/** Docker's filter semantics: values of one key are OR'ed, different keys AND'ed. */
export function matches(e: EngineEvent, f: EventFilter | undefined): boolean {
  if (!f) return true
  if (f.type?.length && !f.type.includes(e.Type)) return false
  if (f.event?.length && !f.event.includes(e.Action)) return false
  if (f.container?.length) {
    const name = e.Actor.Attributes.name
    if (!f.container.some((c) => c === name || (c.length >= 3 && e.Actor.ID.startsWith(c)))) return false
  }
  return true
}
