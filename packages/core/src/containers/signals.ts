import { constants } from 'node:os'
import { InvalidArgumentError } from '../errors'

/** `KILL`, `SIGKILL`, `sigterm` or `9` → `SIGKILL`-style name; unknown names are an error. */
export function parseSignal(input: string | number): string {
  const s = String(input).trim().toUpperCase()
  const names = constants.signals as Record<string, number>
  if (/^\d+$/.test(s)) {
    const n = Number(s)
    const name = Object.keys(names).find((k) => names[k] === n)
    if (!name || n <= 0 || n > 64) throw new InvalidArgumentError(`invalid signal: ${input}`)
    return name
  }
  const name = s.startsWith('SIG') ? s : `SIG${s}`
  if (!(name in names)) throw new InvalidArgumentError(`invalid signal: ${input}: use a name like SIGTERM or KILL, or a number`)
  return name
}

/** The number of a signal name from parseSignal. */
export function signalNumber(name: string): number {
  return (constants.signals as Record<string, number>)[name]
}
