import { TsrunError } from '../errors'
import { readJournal } from './journal-logs'
import { readLog, type LogReadOptions, type LogSink } from './logs'
import type { ContainerRecord } from './record'

/**
 * `tsrun logs` for whichever driver the container logs with: json-file and
 * k8s-file from its log files (logs.ts reads both), journald through the
 * journal, and for `none` Docker's refusal.
 */
export async function readContainerLog(rec: ContainerRecord, logPath: string, opts: LogReadOptions, stillRunning: () => Promise<boolean>, sink: LogSink): Promise<void> {
  const driver = rec.hostConfig.LogConfig?.Type ?? 'json-file'
  if (driver === 'none') throw new TsrunError('configured logging driver does not support reading')
  if (driver === 'journald') return readJournal(rec.id, opts, stillRunning, sink)
  return readLog(logPath, opts, stillRunning, sink)
}
