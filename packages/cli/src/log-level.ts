/** Docker's and podman's `--log-level` values, quietest last. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'fatal'] as const

/** One of LOG_LEVELS. */
export type LogLevel = (typeof LOG_LEVELS)[number]

let current: LogLevel = 'info'

/**
 * Set the level for this invocation (EngineCommand does, from `--log-level`
 * or `--debug`). tsrun has no log of its own: the level decides whether
 * `WARNING:` lines are printed (not at `error` or `fatal`, as podman hides
 * its warnings there) and, at `debug`, whether errors show their stack.
 */
export function setLogLevel(level: LogLevel): void {
  current = level
}

/** The level in force. */
export function logLevel(): LogLevel {
  return current
}

/** Print `WARNING: message` on stderr unless the level hides warnings. */
export function warning(message: string): void {
  if (current === 'error' || current === 'fatal') return
  process.stderr.write(`WARNING: ${message}\n`)
}
